// SPDX-License-Identifier: GPL-2.0
// ipvs-capture: a trace of a live director's new flows, in the simulator's
// text trace format, from a live interface or a pcap file (libpcap),
// filtered with BPF on the director's VIPs. Optionally samples
// /proc/net/ip_vs_conn every --interval seconds into a companion file.
// Exit 0 on success, 1 when the capture or an output failed, 2 on a usage
// or environment error. Documentation/ipvs-capture.8 is the manual.
#include <fmt/format.h>
#include <signal.h>
#include <sys/time.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "atomic_file.h"
#include "capture.h"
#include "config_load.h"
#include "progress.h"
#include "trace_pcap.h"

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// IPVS's default timeouts: TCP established 900 s and UDP 300 s (ipvsadm -l
// --timeout), a TCP connection in state CLOSE 10 s.
constexpr double kTcpIdle = 900, kUdpIdle = 300, kClose = 10;

std::atomic<ipvs_sim::PcapTraceReader*> g_reader{nullptr};

void OnSignal(int) {
  ipvs_sim::PcapTraceReader* r = g_reader.load();
  if (r) r->Stop();
}

struct Options {
  std::string read, iface, output = "-", config, config_format = "auto";
  std::vector<std::string> vips;
  double idle = -1, tcp_idle = kTcpIdle, udp_idle = kUdpIdle, close = kClose;
  double duration = 0, interval = 0;
  std::string conn_output, conn_file = "/proc/net/ip_vs_conn";
  bool mid_flow = false, quiet = false;
};

int Usage(const std::string& msg) {
  std::fprintf(stderr, "ipvs-capture: %s\n", msg.c_str());
  return kExitUsage;
}

// The VIPs from --vip, --config or the kernel; false and the exit status
// in *rc.
bool CollectVips(const Options& o, std::vector<ipvs_sim::TraceVip>* vips, int* rc) {
  std::string err;
  std::vector<std::string> warnings;
  for (const std::string& v : o.vips) {
    if (!ipvs_capture::ParseVip(v, vips, &err)) {
      *rc = Usage(err);
      return false;
    }
  }
  if (!o.config.empty()) {
    ipvs_sim::ConfigFormat fmt_;
    if (!ipvs_sim::ParseConfigFormat(o.config_format, &fmt_)) {
      *rc = Usage(fmt::format("--config-format '{}': unknown", o.config_format));
      return false;
    }
    ipvs_sim::LoadedConfig loaded;
    if (!ipvs_sim::LoadConfig(o.config, fmt_, {}, &loaded, &err)) {
      *rc = Usage(err);
      return false;
    }
    ipvs_capture::VipsFromConfig(loaded.config, vips, &warnings);
  }
  if (o.vips.empty() && o.config.empty()) {
    if (!ipvs_capture::VipsFromKernel(vips, &warnings, &err)) {
      *rc = Usage(
          fmt::format("reading the VIPs from the kernel: {} (or give --vip or --config)", err));
      return false;
    }
  }
  for (const std::string& w : warnings)
    std::fprintf(stderr, "ipvs-capture: warning: %s\n", w.c_str());
  if (vips->empty()) {
    *rc = Usage(o.config.empty() && o.vips.empty()
                    ? "the kernel has no virtual service with an address to capture (give --vip)"
                    : "no virtual service with an address to capture");
    return false;
  }
  return true;
}

void ArmDuration(double seconds) {
  struct itimerval it = {};
  it.it_value.tv_sec = static_cast<time_t>(seconds);
  it.it_value.tv_usec = static_cast<suseconds_t>((seconds - std::floor(seconds)) * 1e6);
  if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) it.it_value.tv_usec = 1;
  setitimer(ITIMER_REAL, &it, nullptr);
}

int Run(const Options& o) {
  if (o.read.empty() == o.iface.empty()) return Usage("give one of -r FILE and -i INTERFACE");
  if (o.duration < 0 || o.interval < 0) return Usage("--duration and --interval must be >= 0");
  for (double t : {o.tcp_idle, o.udp_idle, o.close}) {
    if (!(t > 0)) return Usage("timeouts must be > 0 seconds");
  }
  if (o.idle == 0 || (o.idle < 0 && o.idle != -1)) return Usage("--idle-timeout must be > 0");
  std::string conn_output = o.conn_output;
  if (o.interval > 0 && conn_output.empty()) {
    if (o.output == "-")
      return Usage("--interval needs --conn-output when the trace goes to stdout");
    conn_output = o.output + ".conn";
  }
  if (o.interval == 0 && !conn_output.empty()) return Usage("--conn-output needs --interval");
  if (o.interval > 0) {
    // Not after a long capture: say now that there is nothing to sample.
    FILE* f = std::fopen(o.conn_file.c_str(), "r");
    if (!f) {
      return Usage(fmt::format("{}: {} (is ip_vs loaded?)", o.conn_file, std::strerror(errno)));
    }
    std::fclose(f);
  }

  ipvs_sim::PcapTraceOptions popts;
  popts.idle_timeout = o.idle > 0 ? o.idle : o.tcp_idle;
  popts.udp_idle_timeout = o.idle > 0 ? o.idle : o.udp_idle;
  popts.close_timeout = o.close;
  popts.syn_starts_tcp = !o.mid_flow;
  int rc = 0;
  if (!CollectVips(o, &popts.vips, &rc)) return rc;

  std::string err;
  std::unique_ptr<ipvs_sim::PcapTraceReader> reader =
      o.read.empty() ? ipvs_sim::PcapTraceReader::OpenLive(o.iface, popts, &err)
                     : ipvs_sim::PcapTraceReader::Open(o.read, popts, &err);
  if (!reader) {
    std::fprintf(stderr, "ipvs-capture: %s\n", err.c_str());
    return o.read.empty() ? kExitUsage : kExitFailed;
  }

  ipvs_sim::AtomicFile trace_file, conn_file;
  FILE* out = stdout;
  if (o.output != "-") {
    if (!trace_file.Open(o.output, &err)) return Usage(err);
    out = trace_file.file();
  }
  std::unique_ptr<ipvs_capture::ConnSampler> sampler;
  if (o.interval > 0) {
    if (!conn_file.Open(conn_output, &err)) return Usage(err);
    sampler =
        std::make_unique<ipvs_capture::ConnSampler>(o.conn_file, o.interval, conn_file.file());
  }
  std::string vip_list;
  for (const ipvs_sim::TraceVip& v : popts.vips) {
    vip_list += (vip_list.empty() ? "" : ", ") + ipvs_capture::VipName(v);
  }
  std::fprintf(out, "# ipvs-capture %s %s: %s\n", o.read.empty() ? "-i" : "-r",
               (o.read.empty() ? o.iface : o.read).c_str(), vip_list.c_str());

  g_reader.store(reader.get());
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGALRM, &sa, nullptr);
  if (!o.quiet) {
    std::fprintf(stderr, "ipvs-capture: %s %s for %zu VIPs: %s\n",
                 o.read.empty() ? "capturing on" : "reading",
                 (o.read.empty() ? o.iface : o.read).c_str(), popts.vips.size(), vip_list.c_str());
    std::fflush(stderr);
  }
  if (sampler) sampler->Start();
  if (o.duration > 0) ArmDuration(o.duration);

  ipvs_sim::Progress progress(!o.quiet && ipvs_sim::Progress::StderrIsTty(), {"capture"});
  ipvs_capture::CaptureStats stats;
  bool ok = ipvs_capture::RunCapture(
      reader.get(), out,
      [&](const ipvs_capture::CaptureStats& s) {
        progress.Update(0, s.flows, reader->position(), reader->size());
      },
      &stats, &err);
  progress.Done();
  g_reader.store(nullptr);
  struct itimerval off = {};  // disarm --duration's timer
  setitimer(ITIMER_REAL, &off, nullptr);

  int status = 0;
  std::string serr;
  if (sampler && !sampler->Stop(&serr)) {
    std::fprintf(stderr, "ipvs-capture: %s\n", serr.c_str());
    status = kExitFailed;
  }
  if (!ok) {
    std::fprintf(stderr, "ipvs-capture: %s\n", err.c_str());
    return kExitFailed;  // the AtomicFiles leave nothing behind
  }
  if (o.output != "-" && !trace_file.Commit(&err)) {
    std::fprintf(stderr, "ipvs-capture: %s\n", err.c_str());
    return kExitFailed;
  }
  if (o.output == "-" && std::fflush(stdout) != 0) {
    std::fprintf(stderr, "ipvs-capture: writing the trace to stdout failed\n");
    return kExitFailed;
  }
  if (sampler && status == 0 && !conn_file.Commit(&err)) {
    std::fprintf(stderr, "ipvs-capture: %s\n", err.c_str());
    status = kExitFailed;
  }
  if (!o.quiet) {
    std::string line = ipvs_capture::FormatStats(stats);
    if (sampler)
      line += fmt::format("; {} ip_vs_conn samples in {}", sampler->samples(), conn_output);
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "ipvs-capture: writes the new flows to a director's virtual services, seen on a live "
      "interface or in a pcap file, as a trace in ipvs-sim's text format. TCP flows start at a "
      "SYN, UDP flows at their first packet; a flow lasts to its last packet before FIN/RST or "
      "an idle timeout. The VIPs come from --vip, from --config, or else from the kernel over "
      "netlink. Exit 0, 1 when the capture or an output failed, 2 on a usage or environment "
      "error."};
  Options o;
  app.add_option("-r,--read", o.read, "pcap or pcapng file to read");
  app.add_option("-i,--interface", o.iface, "interface to capture on live ('any': all)");
  app.add_option("-o,--output", o.output, "trace file, written atomically ('-': stdout)")
      ->capture_default_str();
  app.add_option("--vip", o.vips,
                 "[tcp:|udp:|sctp:]ADDR[:PORT] to capture (repeatable; no protocol: tcp and "
                 "udp; no port: every port)");
  app.add_option("--config", o.config,
                 "take the VIPs from this configuration (ipvsadm rules, -Ln, keepalived.conf)");
  app.add_option("--config-format", o.config_format, "auto, rules, list, list-nosort, keepalived")
      ->capture_default_str();
  app.add_option("--idle-timeout", o.idle,
                 "seconds without a packet that end a TCP or UDP flow (sets both below)");
  app.add_option("--tcp-idle-timeout", o.tcp_idle, "idle seconds that end a TCP or SCTP flow")
      ->capture_default_str();
  app.add_option("--udp-idle-timeout", o.udp_idle, "idle seconds that end a UDP flow")
      ->capture_default_str();
  app.add_option("--close-timeout", o.close,
                 "idle seconds after FIN from both sides or RST that end a TCP flow")
      ->capture_default_str();
  app.add_flag("--mid-flow", o.mid_flow,
               "also start TCP flows at packets other than a SYN (connections opened before "
               "the capture)");
  app.add_option("--duration", o.duration, "stop a live capture after this many seconds");
  app.add_option("--interval", o.interval,
                 "sample /proc/net/ip_vs_conn every this many seconds into --conn-output");
  app.add_option("--conn-output", o.conn_output,
                 "file of the ip_vs_conn samples (default: OUTPUT.conn)");
  app.add_option("--conn-file", o.conn_file, "the file sampled")->capture_default_str();
  app.add_flag("-q,--quiet", o.quiet, "no progress and no summary on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  return Run(o);
}
