// SPDX-License-Identifier: GPL-2.0
#include "capture.h"

#include <fmt/format.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "trace_text.h"
#include "vip.h"

extern "C" {
#include "ipvs_nl.h"
}

namespace ipvs_capture {

using ipvs_sim::Proto;
using ipvs_sim::TraceVip;

namespace {

double UnixNow() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

}  // namespace

bool VipsFromKernel(std::vector<TraceVip>* out, std::vector<std::string>* warnings,
                    std::string* err) {
  struct ipvs_nl_config c;
  std::memset(&c, 0, sizeof(c));
  char buf[512] = "";
  int st = ipvs_nl_read(&c, buf, sizeof(buf));
  if (st != IPVS_NL_OK) {
    const char* kind = st == IPVS_NL_NO_IPVS   ? "no IPVS"
                       : st == IPVS_NL_NO_PERM ? "no CAP_NET_ADMIN"
                                               : "netlink";
    *err = fmt::format("{}: {}", kind, buf);
    return false;
  }
  for (size_t i = 0; i < c.nsvc; ++i) {
    const ipvs_nl_service& s = c.svc[i];
    if (s.fwmark) {
      warnings->push_back(fmt::format(
          "fwmark service {} has no address to filter on; give its VIPs with --vip", s.fwmark));
      continue;
    }
    TraceVip v;
    v.proto = s.proto == IPPROTO_UDP    ? Proto::kUdp
              : s.proto == IPPROTO_SCTP ? Proto::kSctp
                                        : Proto::kTcp;
    if (s.af == AF_INET6) {
      v.ep.addr.family = ipvs_sim::Family::kV6;
      std::memcpy(v.ep.addr.bytes.data(), &s.addr, 16);
    } else {
      v.ep.addr.family = ipvs_sim::Family::kV4;
      std::memcpy(v.ep.addr.bytes.data(), &s.addr, 4);
    }
    v.ep.port = s.port;
    AddVip(v, out);
  }
  ipvs_nl_free(&c);
  return true;
}

std::string FormatStats(const CaptureStats& s) {
  std::string out = fmt::format(
      "ipvs-capture: {} flows, {} packets, {} ignored ({} not to a VIP, {} TCP without SYN, {} "
      "not TCP/UDP/SCTP)",
      s.flows, s.packets, s.ignored(), s.not_vip, s.no_syn, s.skipped);
  if (s.truncated) out += fmt::format(", {} flows cut short (too many pending)", s.truncated);
  if (s.dropped) out += fmt::format(", {} packets dropped by the kernel", s.dropped);
  return out;
}

bool RunCapture(ipvs_sim::PcapTraceReader* reader, FILE* out,
                const std::function<void(const CaptureStats&)>& progress, CaptureStats* stats,
                std::string* err) {
  ipvs_sim::TraceFlow flow;
  auto fill = [&] {
    stats->packets = reader->packets();
    stats->not_vip = reader->not_vip();
    stats->no_syn = reader->no_syn();
    stats->skipped = reader->skipped();
    stats->truncated = reader->truncated();
  };
  while (reader->Next(&flow)) {
    if (!ipvs_sim::WriteTraceFlow(out, flow)) {
      *err = fmt::format("writing the trace: {}", std::strerror(errno));
      return false;
    }
    ++stats->flows;
    if (progress) {
      fill();
      progress(*stats);
    }
  }
  fill();
  stats->dropped = reader->dropped();
  if (!reader->error().empty()) {
    *err = reader->error();
    return false;
  }
  return true;
}

ConnSampler::ConnSampler(std::string proc_path, double interval, FILE* out)
    : path_(std::move(proc_path)), interval_(interval), out_(out) {}

ConnSampler::~ConnSampler() {
  if (thread_.joinable()) {
    std::string ignored;
    Stop(&ignored);
  }
}

void ConnSampler::Format(double seconds, double unix_time, const std::string& text,
                         std::string* out) {
  size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  if (!text.empty() && text.back() != '\n') ++lines;
  // The first line of ip_vs_conn is its header.
  size_t entries = lines > 0 ? lines - 1 : 0;
  *out += fmt::format("sample {:.3f} {:.3f} {}\n", seconds, unix_time, entries);
  *out += text;
  if (!text.empty() && text.back() != '\n') *out += '\n';
  *out += "end\n";
}

bool ConnSampler::Sample() {
  std::ifstream in(path_);
  if (!in) {
    error_ = fmt::format("{}: {}", path_, std::strerror(errno));
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  double now = UnixNow();
  std::string rec;
  Format(now - start_, now, ss.str(), &rec);
  if (std::fwrite(rec.data(), 1, rec.size(), out_) != rec.size()) {
    error_ = fmt::format("writing the samples: {}", std::strerror(errno));
    return false;
  }
  ++samples_;
  return true;
}

void ConnSampler::Start() {
  start_ = UnixNow();
  std::fputs("# ipvs-capture ip_vs_conn samples 1\n", out_);
  thread_ = std::thread([this] { Loop(); });
}

void ConnSampler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!Sample()) return;
    auto wait = std::chrono::duration<double>(interval_);
    if (cv_.wait_for(lock, wait, [this] { return stop_; })) break;
  }
  Sample();  // the table as the capture ends
}

bool ConnSampler::Stop(std::string* err) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!error_.empty()) {
    *err = error_;
    return false;
  }
  return true;
}

}  // namespace ipvs_capture
