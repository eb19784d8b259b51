// SPDX-License-Identifier: GPL-2.0
// Test helpers for code that reads and writes files: a fresh directory per
// test, its listing, a file's content.
#ifndef IPVS_SCHED_SIM_FILE_TESTING_H_
#define IPVS_SCHED_SIM_FILE_TESTING_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ipvs_sim {
namespace file_testing {

// The content of @p ("" when it cannot be read).
inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The names in @dir, sorted.
inline std::vector<std::string> Entries(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

// A fixture with a fresh directory root_ under /tmp, removed after the test.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sim_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::vector<std::string> Entries(const std::filesystem::path& dir) {
    return file_testing::Entries(dir);
  }
  std::string Read(const std::filesystem::path& p) { return Slurp(p); }
  std::filesystem::path root_;
};

}  // namespace file_testing
}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_FILE_TESTING_H_
