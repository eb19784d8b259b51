// SPDX-License-Identifier: GPL-2.0
#include "report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "atomic_file.h"
#include "file_testing.h"

namespace ipvs_sim {
namespace {

namespace fs = std::filesystem;

class OutputFilesTest : public file_testing::TempDirTest {};

TEST_F(OutputFilesTest, AllFilesAppearTogether) {
  OutputFiles files;
  files.Add("a.csv", "1\n");
  files.Add("b.json", "{}\n");
  std::vector<std::string> warnings;
  std::string err;
  ASSERT_TRUE(files.Commit((root_ / "out").string(), false, &warnings, &err)) << err;
  EXPECT_EQ(Entries(root_), std::vector<std::string>{"out"});
  EXPECT_EQ(Entries(root_ / "out"), (std::vector<std::string>{"a.csv", "b.json"}));
  EXPECT_EQ(Read(root_ / "out" / "b.json"), "{}\n");
}

TEST_F(OutputFilesTest, FailureLeavesNothing) {
  OutputFiles files;
  files.Add("a.csv", "1\n");
  files.Add("missing-dir/b.csv", "2\n");  // cannot be created
  files.Add("c.csv", "3\n");
  std::vector<std::string> warnings;
  std::string err;
  EXPECT_FALSE(files.Commit((root_ / "out").string(), false, &warnings, &err));
  EXPECT_NE(err.find("missing-dir/b.csv"), std::string::npos) << err;
  EXPECT_TRUE(Entries(root_).empty());  // neither out nor a temporary dir
}

TEST_F(OutputFilesTest, ExistingDirKeepsOtherFilesAndOnFailureIsUntouched) {
  fs::create_directory(root_ / "out");
  std::ofstream(root_ / "out" / "a.csv") << "old\n";
  std::ofstream(root_ / "out" / "notes.txt") << "mine\n";
  OutputFiles bad;
  bad.Add("a.csv", "new\n");
  bad.Add("x/y", "");
  std::vector<std::string> warnings;
  std::string err;
  EXPECT_FALSE(bad.Commit((root_ / "out").string(), false, &warnings, &err));
  EXPECT_EQ(Read(root_ / "out" / "a.csv"), "old\n");
  EXPECT_EQ(Entries(root_), std::vector<std::string>{"out"});
  OutputFiles good;
  good.Add("a.csv", "new\n");
  ASSERT_TRUE(good.Commit((root_ / "out").string(), false, &warnings, &err)) << err;
  EXPECT_EQ(Read(root_ / "out" / "a.csv"), "new\n");
  EXPECT_EQ(Read(root_ / "out" / "notes.txt"), "mine\n");
  EXPECT_EQ(Entries(root_), std::vector<std::string>{"out"});
}

TEST_F(OutputFilesTest, TargetThatIsAFileIsRefused) {
  std::ofstream(root_ / "out") << "x";
  OutputFiles files;
  files.Add("a.csv", "1\n");
  std::vector<std::string> warnings;
  std::string err;
  EXPECT_FALSE(files.Commit((root_ / "out").string(), false, &warnings, &err));
  EXPECT_EQ(Entries(root_), std::vector<std::string>{"out"});
}

TEST_F(OutputFilesTest, WriteFileAtomic) {
  std::string err;
  ASSERT_TRUE(WriteFileAtomic((root_ / "f").string(), "hello\n", &err)) << err;
  EXPECT_EQ(Read(root_ / "f"), "hello\n");
  EXPECT_FALSE(WriteFileAtomic((root_ / "no" / "f").string(), "x", &err));
  EXPECT_EQ(Entries(root_), std::vector<std::string>{"f"});
}

TEST(ReportTest, CsvAndJsonCarryTheNumbers) {
  RunResult r;
  r.scheduler = "wmh";
  r.services = {"-t 10.0.0.1:80"};
  Endpoint ep;
  ASSERT_TRUE(Endpoint::Parse("192.168.1.1:80", &ep));
  r.dest_ep = {ep};
  r.dest_svc = {0};
  ServiceWindow w;
  w.end = 60;
  w.new_flows = 10;
  w.dests.push_back(DestWindow{0, 1.0, 10, 0, 2.5});
  w.new_flows_balance = ComputeBalance(std::vector<double>{1.0}, std::vector<double>{10});
  r.windows = {w};
  r.totals = {w};
  EventStats ev;
  ev.time = 5;
  ev.what = "del 192.168.1.2:80";
  ev.ideal_remap = 0.5;
  ev.broken = 3;
  r.events = {ev};
  std::vector<RunResult> runs = {r};
  EXPECT_NE(FormatDestsCsv(runs).find("wmh,-t 10.0.0.1:80,0,60,192.168.1.1:80,1,10,1,2.5,1,0,\n"),
            std::string::npos)
      << FormatDestsCsv(runs);
  EXPECT_NE(FormatEventsCsv(runs).find("wmh,5,del 192.168.1.2:80,,0.5,,,0,3,0,0\n"),
            std::string::npos)
      << FormatEventsCsv(runs);
  std::string json = FormatJson(ReportContext(), runs);
  EXPECT_NE(json.find("\"hash_remap\": null"), std::string::npos);
  EXPECT_NE(json.find("\"broken\": 3"), std::string::npos);
}

}  // namespace
}  // namespace ipvs_sim
