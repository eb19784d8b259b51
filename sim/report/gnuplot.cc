// SPDX-License-Identifier: GPL-2.0
#include "gnuplot.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace ipvs_sim {

namespace fs = std::filesystem;

bool HaveGnuplot() {
  const char* path = getenv("PATH");
  if (!path) return false;
  std::string p = path;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (!dir.empty() && access((dir + "/gnuplot").c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

bool RunGnuplot(const std::string& dir, const std::string& script) {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
    }
    if (chdir(dir.c_str()) != 0) _exit(127);
    execlp("gnuplot", "gnuplot", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void DrawPlots(const std::string& dir, const std::vector<std::string>& scripts,
               std::vector<std::string>* drawn, std::vector<std::string>* warnings) {
  bool gnuplot = HaveGnuplot();
  std::error_code ec;
  for (const std::string& name : scripts) {
    if (name.size() < 3 || name.compare(name.size() - 3, 3, ".gp") != 0) continue;
    std::string png = name.substr(0, name.size() - 3) + ".png";
    if (!gnuplot) {
      warnings->push_back(fmt::format("gnuplot not found: {} not drawn", png));
      continue;
    }
    if (RunGnuplot(dir, name) && fs::exists(fs::path(dir) / png, ec)) {
      drawn->push_back(png);
    } else {
      fs::remove(fs::path(dir) / png, ec);
      warnings->push_back(fmt::format("gnuplot failed on {}: {} not drawn", name, png));
    }
  }
}

}  // namespace ipvs_sim
