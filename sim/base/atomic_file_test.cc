// SPDX-License-Identifier: GPL-2.0
#include "atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "file_testing.h"

namespace ipvs_sim {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public file_testing::TempDirTest {};

TEST_F(AtomicFileTest, FileAppearsOnlyOnCommitWithMode0644) {
  std::string path = (root_ / "f.txt").string(), err;
  {
    AtomicFile f;
    ASSERT_TRUE(f.Open(path, &err)) << err;
    std::fputs("hello\n", f.file());
    EXPECT_FALSE(fs::exists(path));
    ASSERT_TRUE(f.Commit(&err)) << err;
  }
  EXPECT_EQ(Entries(root_), std::vector<std::string>{"f.txt"});
  EXPECT_EQ(Read(path), "hello\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(AtomicFileTest, UncommittedFileLeavesNothingAndOldContentStays) {
  std::string path = (root_ / "f.txt").string(), err;
  ASSERT_TRUE(WriteFileAtomic(path, "old\n", &err)) << err;
  {
    AtomicFile f;
    ASSERT_TRUE(f.Open(path, &err)) << err;
    std::fputs("new\n", f.file());
  }
  EXPECT_EQ(Entries(root_), std::vector<std::string>{"f.txt"});
  EXPECT_EQ(Read(path), "old\n");
}

TEST_F(AtomicFileTest, ErrorsNameThePath) {
  std::string path = (root_ / "no-such-dir" / "f.txt").string(), err;
  EXPECT_FALSE(WriteFileAtomic(path, "x", &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  AtomicDir d;
  std::string file = (root_ / "plain").string();
  ASSERT_TRUE(WriteFileAtomic(file, "x", &err)) << err;
  EXPECT_FALSE(d.Open(file, &err));
  EXPECT_EQ(err, file + ": exists and is not a directory");
}

TEST_F(AtomicFileTest, DirectoryIsRenamedWholeOrFilesMovedIntoAnExistingOne) {
  std::string err;
  {
    AtomicDir d;
    ASSERT_TRUE(d.Open((root_ / "out").string(), &err)) << err;
    ASSERT_TRUE(d.Write("a", "1", &err)) << err;
    EXPECT_FALSE(fs::exists(root_ / "out"));
    ASSERT_TRUE(d.Commit({"a"}, &err)) << err;
  }
  EXPECT_EQ(Entries(root_), std::vector<std::string>{"out"});
  {
    AtomicDir d;
    ASSERT_TRUE(d.Open((root_ / "out").string(), &err)) << err;
    ASSERT_TRUE(d.Write("b", "2", &err)) << err;
    ASSERT_TRUE(d.Write("scratch", "3", &err)) << err;
    ASSERT_TRUE(d.Commit({"b"}, &err)) << err;
  }
  // The old file is kept, the named one moved in, the temporary dir gone.
  EXPECT_EQ(Entries(root_), std::vector<std::string>{"out"});
  EXPECT_EQ(Entries(root_ / "out"), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace ipvs_sim
