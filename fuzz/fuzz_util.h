// SPDX-License-Identifier: GPL-2.0
// Helpers shared by the harnesses: a check that aborts (a crash libFuzzer
// records), and the fuzz input as a file for readers that take a path only.
#ifndef IPVS_SCHED_FUZZ_FUZZ_UTIL_H_
#define IPVS_SCHED_FUZZ_FUZZ_UTIL_H_

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

// An invariant the code under test documents; a violation is a crash.
#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                      \
    }                                                                               \
  } while (0)

namespace ipvs_fuzz {

// The input in an anonymous memory file, named by a /proc/self/fd path that
// fopen() and libpcap open like any file. Nothing touches the disk.
class MemFile {
 public:
  MemFile(const uint8_t* data, size_t size) {
    fd_ = memfd_create("fuzz-input", 0);
    if (fd_ < 0) abort();
    size_t done = 0;
    while (done < size) {
      ssize_t n = write(fd_, data + done, size - done);
      if (n <= 0) abort();
      done += static_cast<size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

}  // namespace ipvs_fuzz

#endif  // IPVS_SCHED_FUZZ_FUZZ_UTIL_H_
