// SPDX-License-Identifier: GPL-2.0
#include "atomic_file.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ipvs_sim {

namespace fs = std::filesystem;

namespace {

// ".NAME.tmp.XXXXXX" next to @target, for mkstemp / mkdtemp.
std::string TempTemplate(const fs::path& target) {
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  // Appends rather than operator+: GCC 12 -O3 warns falsely (-Wrestrict).
  std::string name = ".";
  name.append(target.filename().string());
  name.append(".tmp.XXXXXX");
  return (dir / name).string();
}

// Creates @path with @content. *why gets the system's reason on failure.
bool WriteNew(const std::string& path, const std::string& content, std::string* why) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    *why = std::strerror(errno);
    return false;
  }
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      *why = std::strerror(errno);
      close(fd);
      return false;
    }
    off += static_cast<size_t>(n);
  }
  if (close(fd) != 0) {
    *why = std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

AtomicFile::~AtomicFile() {
  if (file_) {
    std::fclose(file_);
    unlink(tmp_.c_str());
  }
}

bool AtomicFile::Open(const std::string& path, std::string* err) {
  path_ = path;
  tmp_ = TempTemplate(fs::path(path));
  int fd = mkstemp(tmp_.data());
  if (fd < 0) {
    *err = fmt::format("{}: {}", path, std::strerror(errno));
    return false;
  }
  fchmod(fd, 0644);
  file_ = fdopen(fd, "w");
  if (!file_) {
    *err = fmt::format("{}: {}", path, std::strerror(errno));
    close(fd);
    unlink(tmp_.c_str());
    return false;
  }
  return true;
}

bool AtomicFile::Commit(std::string* err) {
  FILE* f = file_;
  file_ = nullptr;
  bool ok = !std::ferror(f) && std::fflush(f) == 0;
  int saved = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && rename(tmp_.c_str(), path_.c_str()) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    unlink(tmp_.c_str());
    *err = fmt::format("{}: {}", path_, std::strerror(saved));
  }
  return ok;
}

bool WriteFileAtomic(const std::string& path, const std::string& content, std::string* err) {
  AtomicFile f;
  if (!f.Open(path, err)) return false;
  std::fwrite(content.data(), 1, content.size(), f.file());
  return f.Commit(err);
}

AtomicDir::~AtomicDir() {
  if (tmp_.empty()) return;
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

bool AtomicDir::Open(const std::string& dir, std::string* err) {
  dir_ = dir;
  std::error_code ec;
  fs::path target = fs::absolute(fs::path(dir), ec);
  if (ec) {
    *err = fmt::format("{}: {}", dir, ec.message());
    return false;
  }
  if (target.filename().empty()) target = target.parent_path();
  fs::path parent = target.parent_path();
  fs::create_directories(parent, ec);
  if (ec) {
    *err = fmt::format("{}: {}", parent.string(), ec.message());
    return false;
  }
  exists_ = fs::exists(target, ec);
  if (exists_ && !fs::is_directory(target, ec)) {
    *err = fmt::format("{}: exists and is not a directory", dir);
    return false;
  }
  std::string tmpl = TempTemplate(target);
  if (!mkdtemp(tmpl.data())) {
    *err = fmt::format("{}: cannot create a temporary directory: {}", parent.string(),
                       std::strerror(errno));
    return false;
  }
  target_ = target.string();
  tmp_ = tmpl;
  return true;
}

bool AtomicDir::Write(const std::string& name, const std::string& content, std::string* err) {
  std::string why;
  if (WriteNew((fs::path(tmp_) / name).string(), content, &why)) return true;
  *err = fmt::format("{}: {}", (fs::path(target_) / name).string(), why);
  return false;
}

bool AtomicDir::Commit(const std::vector<std::string>& names, std::string* err) {
  if (!exists_) {
    if (rename(tmp_.c_str(), target_.c_str()) == 0) {
      tmp_.clear();
      return true;
    }
    if (errno != ENOTEMPTY && errno != EEXIST) {
      *err = fmt::format("{}: {}", dir_, std::strerror(errno));
      return false;
    }
    // Someone created it meanwhile: fall through to per-file renames.
  }
  for (const std::string& name : names) {
    fs::path from = fs::path(tmp_) / name, to = fs::path(target_) / name;
    if (rename(from.c_str(), to.c_str()) != 0) {
      *err = fmt::format("{}: {}", to.string(), std::strerror(errno));
      return false;
    }
  }
  return true;
}

}  // namespace ipvs_sim
