// SPDX-License-Identifier: GPL-2.0
// The one way the simulator writes its outputs: files and directories
// appear whole under their final name or not at all. A temporary file or
// directory is made next to the target (same filesystem, named
// ".NAME.tmp.XXXXXX"), filled, then renamed into place. Not thread-safe.
#ifndef IPVS_SCHED_SIM_ATOMIC_FILE_H_
#define IPVS_SCHED_SIM_ATOMIC_FILE_H_

#include <cstdio>
#include <string>
#include <vector>

namespace ipvs_sim {

// A file streamed through stdio into a temporary name and renamed into place
// by Commit. Destroying it uncommitted removes the temporary file.
class AtomicFile {
 public:
  AtomicFile() = default;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  // Creates the temporary file for @path (mode 0644). On failure returns
  // false with *err = "PATH: reason".
  bool Open(const std::string& path, std::string* err);
  // The stream to write to; REQUIRES: Open succeeded and no Commit yet.
  FILE* file() const { return file_; }
  // Flushes and closes the stream and renames the file to the path given to
  // Open. On failure (an earlier write error included) returns false with
  // *err = "PATH: reason" and removes the temporary file.
  bool Commit(std::string* err);

 private:
  std::string path_, tmp_;
  FILE* file_ = nullptr;
};

// Writes @content to @path atomically. False with *err = "PATH: reason" on
// failure, leaving nothing behind.
bool WriteFileAtomic(const std::string& path, const std::string& content, std::string* err);

// A directory filled under a temporary name next to its target. Commit
// renames it into place when the target does not exist; otherwise it moves
// the files named one by one into the existing directory (other files
// there are kept). Destroying it removes what is left of the temporary
// directory.
class AtomicDir {
 public:
  AtomicDir() = default;
  AtomicDir(const AtomicDir&) = delete;
  AtomicDir& operator=(const AtomicDir&) = delete;
  ~AtomicDir();

  // Checks @dir (absent, or a directory), creates its parents and the
  // temporary directory. On failure returns false with *err naming the path
  // and the reason ("DIR: exists and is not a directory", ...).
  bool Open(const std::string& dir, std::string* err);
  // Where files are written before Commit.
  const std::string& tmp() const { return tmp_; }
  // Creates tmp()/@name with @content. On failure returns false with
  // *err = "TARGET/NAME: reason".
  bool Write(const std::string& name, const std::string& content, std::string* err);
  // Puts @names (files in tmp()) into the target. On failure returns false
  // with *err naming the path and the reason.
  bool Commit(const std::vector<std::string>& names, std::string* err);

 private:
  std::string dir_, target_, tmp_;
  bool exists_ = false;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_ATOMIC_FILE_H_
