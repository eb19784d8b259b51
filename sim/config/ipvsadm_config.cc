// SPDX-License-Identifier: GPL-2.0
#include "ipvsadm_config.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>

#include "text_lines.h"
#include "text_parse.h"

namespace ipvs_sim {

namespace {

constexpr uint32_t kMaxWeight = 65535;
constexpr uint32_t kMaxThreshold = 65535;
constexpr uint32_t kMaxTimeout = 2147483647;
constexpr uint32_t kDefaultPersistence = 300;  // ipvsadm's default for -p

// host[:port] / [v6][:port] with numeric host and port. A missing port reads
// as 0 and sets *has_port = false.
bool ParseAddrPort(std::string_view text, const char* what, Endpoint* out, bool* has_port,
                   std::string* err) {
  std::string_view host = text, port;
  *has_port = false;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      *err = fmt::format("bad {} address '{}': missing ']'", what, text);
      return false;
    }
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        *err = fmt::format("bad {} address '{}': junk after ']'", what, text);
        return false;
      }
      port = rest.substr(1);
      *has_port = true;
    }
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.rfind(':') == colon) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      *has_port = true;
    }
  }
  Endpoint e;
  if (!IpAddr::Parse(host, &e.addr)) {
    *err = fmt::format("bad {} address '{}' (numeric IPv4, or IPv6 in brackets, expected)", what,
                       text);
    return false;
  }
  if (*has_port) {
    uint32_t p;
    if (!IsDigits(port)) {
      *err = fmt::format("bad {} port '{}' in '{}'", what, port, text);
      return false;
    }
    if (!ParseDecimal(port, 65535, &p)) {
      *err = fmt::format("{} port {} out of range 0..65535", what, port);
      return false;
    }
    e.port = static_cast<uint16_t>(p);
  }
  *out = e;
  return true;
}

// -M: dotted IPv4 mask or IPv6 prefix length; -1 for a full mask.
bool ParseNetmask(std::string_view text, int* bits, std::string* err) {
  uint32_t prefix;
  if (IsDigits(text)) {
    if (!ParseDecimal(text, 128, &prefix) || prefix == 0) {
      *err = fmt::format("bad netmask '{}': prefix length must be 1..128", text);
      return false;
    }
    *bits = static_cast<int>(prefix);
    return true;
  }
  IpAddr a;
  if (!IpAddr::Parse(text, &a) || a.family != Family::kV4) {
    *err = fmt::format("bad netmask '{}'", text);
    return false;
  }
  uint32_t m = a.v4();
  int n = 0;
  while (n < 32 && (m & (0x80000000u >> n))) ++n;
  if (n == 0 || (n < 32 && (m << n) != 0)) {
    *err = fmt::format("bad netmask '{}': not a contiguous mask", text);
    return false;
  }
  *bits = n;
  return true;
}

bool ParseSchedFlags(std::string_view text, uint32_t* flags, std::vector<std::string>* named,
                     std::string* err) {
  *flags = 0;
  size_t i = 0;
  while (i <= text.size()) {
    size_t comma = text.find(',', i);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view f = text.substr(i, comma - i);
    if (f == "flag-1") {
      *flags |= kSchedFlag1;
    } else if (f == "flag-2") {
      *flags |= kSchedFlag2;
    } else if (f == "flag-3") {
      *flags |= kSchedFlag3;
    } else if (f == "mh-fallback" || f == "sh-fallback") {
      *flags |= kSchedFlag1;
      named->emplace_back(f);
    } else if (f == "mh-port" || f == "sh-port") {
      *flags |= kSchedFlag2;
      named->emplace_back(f);
    } else {
      *err = fmt::format(
          "invalid scheduler flag '{}' (flag-1, flag-2, flag-3, mh-fallback, "
          "mh-port, sh-fallback, sh-port)",
          f);
      return false;
    }
    i = comma + 1;
  }
  return true;
}

std::string SchedFlagsText(const std::string& sched, uint32_t flags) {
  std::string out;
  auto add = [&out](const char* s) {
    if (!out.empty()) out += ',';
    out += s;
  };
  bool mh = sched == "mh", sh = sched == "sh";
  if (flags & kSchedFlag1) add(mh ? "mh-fallback" : sh ? "sh-fallback" : "flag-1");
  if (flags & kSchedFlag2) add(mh ? "mh-port" : sh ? "sh-port" : "flag-2");
  if (flags & kSchedFlag3) add("flag-3");
  return out;
}

std::string ServiceName(const ServiceKey& key) {
  if (key.fwmark && key.fwmark_family == Family::kV6) return fmt::format("-f {} -6", key.fwmark);
  return key.ToString();
}

std::string NetmaskText(const Service& svc) {
  if (svc.family() == Family::kV6) return std::to_string(svc.netmask_bits);
  uint32_t m = svc.netmask_bits >= 32 ? 0xffffffffu : ~(0xffffffffu >> svc.netmask_bits);
  return IpAddr::V4(m).ToString();
}

}  // namespace

int IpvsConfig::Find(const ServiceKey& key) const {
  for (size_t i = 0; i < services.size(); ++i)
    if (services[i].key == key) return static_cast<int>(i);
  return -1;
}

bool ParseIpvsadmCommand(const std::string& line, char* what, Service* svc, Dest* dest,
                         std::string* err) {
  std::vector<std::string_view> words = SplitWords(line);
  size_t i = 0;
  if (!words.empty() && (words[0] == "ipvsadm" || words[0].ends_with("/ipvsadm"))) ++i;

  char cmd = 0;
  Service s;
  Dest d;
  bool have_service = false, have_dest = false, have_fwd = false, v6_flag = false;
  bool have_weight = false;
  std::string svc_text, dest_text;
  bool dest_has_port = false, svc_has_port = false;
  std::vector<std::string> named_flags;
  std::vector<std::string> service_opts, dest_opts;  // seen, for the command check
  std::vector<std::string> seen;

  for (; i < words.size(); ++i) {
    std::string opt(words[i]);
    std::string value;
    bool inline_value = false;
    if (opt.starts_with("--")) {
      size_t eq = opt.find('=');
      if (eq != std::string::npos) {
        value = opt.substr(eq + 1);
        opt.resize(eq);
        inline_value = true;
      }
    }
    auto need_arg = [&](std::string* out) {
      if (inline_value) {
        *out = value;
        return true;
      }
      if (i + 1 >= words.size()) {
        *err = fmt::format("option {} needs an argument", opt);
        return false;
      }
      *out = words[++i];
      return true;
    };
    auto set_cmd = [&](char c) {
      if (cmd) {
        *err = fmt::format("more than one command (-{} and {})", cmd, opt);
        return false;
      }
      cmd = c;
      return true;
    };
    auto once = [&](const char* canon) {
      for (const std::string& x : seen) {
        if (x == canon) {
          *err = fmt::format("option {} given twice", canon);
          return false;
        }
      }
      seen.emplace_back(canon);
      return true;
    };
    std::string arg;
    if (opt == "-A" || opt == "--add-service") {
      if (!set_cmd('A')) return false;
    } else if (opt == "-E" || opt == "--edit-service") {
      if (!set_cmd('E')) return false;
    } else if (opt == "-D" || opt == "--delete-service") {
      if (!set_cmd('D')) return false;
    } else if (opt == "-a" || opt == "--add-server") {
      if (!set_cmd('a')) return false;
    } else if (opt == "-e" || opt == "--edit-server") {
      if (!set_cmd('e')) return false;
    } else if (opt == "-d" || opt == "--delete-server") {
      if (!set_cmd('d')) return false;
    } else if (opt == "-C" || opt == "--clear" || opt == "-R" || opt == "--restore" ||
               opt == "-S" || opt == "--save" || opt == "-L" || opt == "-l" || opt == "--list" ||
               opt == "-Z" || opt == "--zero" || opt == "--set" || opt == "--start-daemon" ||
               opt == "--stop-daemon" || opt == "-h" || opt == "--help") {
      *err = fmt::format("unknown command {} (only -A -E -D -a -e -d are understood)", opt);
      return false;
    } else if (opt == "-t" || opt == "--tcp-service" || opt == "-u" || opt == "--udp-service" ||
               opt == "--sctp-service") {
      if (have_service) {
        *err = fmt::format("more than one virtual service ({})", opt);
        return false;
      }
      if (!need_arg(&arg)) return false;
      have_service = true;
      s.key.proto = (opt == "-t" || opt == "--tcp-service")   ? Proto::kTcp
                    : (opt == "-u" || opt == "--udp-service") ? Proto::kUdp
                                                              : Proto::kSctp;
      if (!ParseAddrPort(arg, "virtual service", &s.key.vip, &svc_has_port, err)) return false;
      svc_text = arg;
    } else if (opt == "-f" || opt == "--fwmark-service") {
      if (have_service) {
        *err = fmt::format("more than one virtual service ({})", opt);
        return false;
      }
      if (!need_arg(&arg)) return false;
      uint32_t mark;
      if (!ParseDecimal(arg, 0xffffffffu, &mark) || mark == 0) {
        *err = fmt::format("invalid fwmark value '{}' (1..4294967295)", arg);
        return false;
      }
      have_service = true;
      s.key.fwmark = mark;
    } else if (opt == "-6" || opt == "--ipv6") {
      v6_flag = true;
    } else if (opt == "-s" || opt == "--scheduler") {
      if (!once("-s") || !need_arg(&arg)) return false;
      if (arg.empty() || arg.size() > 15) {
        *err = fmt::format("bad scheduler name '{}' (1..15 characters)", arg);
        return false;
      }
      s.scheduler = arg;
      service_opts.push_back(opt);
    } else if (opt == "-p" || opt == "--persistent") {
      if (!once("-p")) return false;
      s.persistence = kDefaultPersistence;
      if (inline_value || (i + 1 < words.size() && IsDigits(words[i + 1]))) {
        if (!need_arg(&arg)) return false;
        uint32_t t;
        if (!ParseDecimal(arg, kMaxTimeout, &t) || t == 0) {
          *err = fmt::format("invalid timeout value '{}'", arg);
          return false;
        }
        s.persistence = t;
      }
      service_opts.push_back(opt);
    } else if (opt == "-M" || opt == "--netmask") {
      if (!once("-M") || !need_arg(&arg)) return false;
      if (!ParseNetmask(arg, &s.netmask_bits, err)) return false;
      service_opts.push_back(opt);
    } else if (opt == "-b" || opt == "--sched-flags") {
      if (!once("-b") || !need_arg(&arg)) return false;
      if (!ParseSchedFlags(arg, &s.flags, &named_flags, err)) return false;
      service_opts.push_back(opt);
    } else if (opt == "--pe") {
      // Persistence engines (sip) are accepted and not modelled.
      if (!need_arg(&arg)) return false;
      service_opts.push_back(opt);
    } else if (opt == "-o" || opt == "--ops") {
      // One-packet scheduling: accepted, not modelled.
      service_opts.push_back(opt);
    } else if (opt == "-r" || opt == "--real-server") {
      if (!once("-r") || !need_arg(&arg)) return false;
      if (!ParseAddrPort(arg, "real server", &d.ep, &dest_has_port, err)) return false;
      have_dest = true;
      dest_text = arg;
    } else if (opt == "-g" || opt == "--gatewaying" || opt == "-i" || opt == "--ipip" ||
               opt == "-m" || opt == "--masquerading") {
      if (have_fwd) {
        *err = fmt::format("more than one forwarding method ({})", opt);
        return false;
      }
      have_fwd = true;
      d.forward = (opt == "-g" || opt == "--gatewaying") ? 'g'
                  : (opt == "-i" || opt == "--ipip")     ? 'i'
                                                         : 'm';
      dest_opts.push_back(opt);
    } else if (opt == "-w" || opt == "--weight") {
      if (!once("-w") || !need_arg(&arg)) return false;
      uint32_t w;
      if (!IsDigits(arg)) {
        *err = fmt::format("bad weight '{}'", arg);
        return false;
      }
      if (!ParseDecimal(arg, kMaxWeight, &w)) {
        *err = fmt::format("weight {} out of range 0..{}", arg, kMaxWeight);
        return false;
      }
      d.weight = static_cast<int32_t>(w);
      have_weight = true;
      dest_opts.push_back(opt);
    } else if (opt == "-x" || opt == "--u-threshold" || opt == "-y" || opt == "--l-threshold") {
      bool upper = opt == "-x" || opt == "--u-threshold";
      if (!once(upper ? "-x" : "-y") || !need_arg(&arg)) return false;
      uint32_t t;
      if (!ParseDecimal(arg, kMaxThreshold, &t)) {
        *err = fmt::format("bad {} threshold '{}' (0..{})", upper ? "upper" : "lower", arg,
                           kMaxThreshold);
        return false;
      }
      (upper ? d.u_threshold : d.l_threshold) = t;
      dest_opts.push_back(opt);
    } else if (opt == "--tun-type" || opt == "--tun-port") {
      // Tunnel details do not change scheduling: accepted, not modelled.
      if (!need_arg(&arg)) return false;
      dest_opts.push_back(opt);
    } else if (opt == "--tun-nocsum" || opt == "--tun-csum" || opt == "--tun-remcsum") {
      dest_opts.push_back(opt);
    } else if (opt == "-n" || opt == "--numeric") {
      // Harmless in saved rules.
    } else if (opt.starts_with("-")) {
      *err = fmt::format("unknown option '{}'", opt);
      return false;
    } else {
      *err = fmt::format("unexpected argument '{}'", opt);
      return false;
    }
  }

  if (!cmd) {
    *err = "no command (-A, -E, -D, -a, -e or -d)";
    return false;
  }
  if (!have_service) {
    *err = fmt::format("-{} needs a virtual service (-t, -u, --sctp-service or -f)", cmd);
    return false;
  }
  if (v6_flag) {
    if (!s.key.fwmark) {
      *err = "-6 is only for fwmark (-f) services";
      return false;
    }
    s.key.fwmark_family = Family::kV6;
  }
  bool service_cmd = cmd == 'A' || cmd == 'E' || cmd == 'D';
  if (service_cmd) {
    if (have_dest) {
      *err = fmt::format("option -r is not allowed with -{}", cmd);
      return false;
    }
    if (!dest_opts.empty()) {
      *err = fmt::format("option {} is not allowed with -{}", dest_opts[0], cmd);
      return false;
    }
    if (cmd == 'D' && !service_opts.empty()) {
      *err = fmt::format("option {} is not allowed with -D", service_opts[0]);
      return false;
    }
  } else {
    if (!service_opts.empty()) {
      *err = fmt::format("option {} is not allowed with -{}", service_opts[0], cmd);
      return false;
    }
    if (!have_dest) {
      *err = fmt::format("-{} needs a real server (-r)", cmd);
      return false;
    }
    if (cmd == 'd' && !dest_opts.empty()) {
      *err = fmt::format("option {} is not allowed with -d", dest_opts[0]);
      return false;
    }
  }
  if ((cmd == 'A' || cmd == 'E') && !s.key.fwmark && s.key.vip.port == 0 && !s.persistence) {
    *err = fmt::format("zero port in '{}' is only valid for a persistent service (-p)", svc_text);
    return false;
  }
  for (const std::string& f : named_flags) {
    std::string want = f.substr(0, 2);
    if (s.scheduler != want) {
      *err = fmt::format("scheduler flag '{}' needs -s {} (use flag-1/flag-2 with -s {})", f, want,
                         s.scheduler);
      return false;
    }
  }
  if (s.netmask_bits >= 0) {
    int full = s.family() == Family::kV6 ? 128 : 32;
    if (s.netmask_bits > full) {
      *err = fmt::format("netmask /{} too long for an IPv4 service", s.netmask_bits);
      return false;
    }
    if (s.netmask_bits == full) s.netmask_bits = -1;
  }
  if (!service_cmd) {
    if (!have_fwd) d.forward = 'g';  // ipvsadm's default: direct routing
    // ipvsadm's -r: a real server without a port takes the service's
    // ("copy vport to dport if not specified"; a fwmark service's is 0).
    if (!dest_has_port) d.ep.port = s.key.fwmark ? 0 : s.key.vip.port;
  }
  if (cmd == 'a' || cmd == 'e') {
    // ipvsadm checks these for CMD_ADDDEST and CMD_EDITDEST only, never for
    // -d: tunnelling alone may cross address families, and direct routing
    // or tunnelling force the real server's port to the virtual port
    // ("Don't worry about this if fwmark is used").
    if (d.ep.addr.family != s.family() && d.forward != 'i') {
      *err = fmt::format(
          "real server {} is not of the service's address family (only -i allows "
          "that)",
          dest_text);
      return false;
    }
    if (!s.key.fwmark && (d.forward == 'g' || d.forward == 'i')) d.ep.port = s.key.vip.port;
    if (!have_weight) d.weight = 1;
    d.last_weight = d.weight;
  }
  *what = cmd;
  *svc = s;
  *dest = d;
  return true;
}

bool ParseIpvsadmConfigText(const std::string& text, const std::string& name, IpvsConfig* out,
                            std::string* err) {
  IpvsConfig cfg;
  LineSplitter lines(text);
  std::string_view view;
  while (lines.Next(&view)) {
    int lineno = lines.lineno();
    std::string line(view);
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (SplitWords(line).empty()) continue;

    auto fail = [&](const std::string& what) {
      *err = fmt::format("{}:{}: {}", name, lineno, what);
      return false;
    };
    char cmd;
    Service svc;
    Dest dest;
    std::string e;
    if (!ParseIpvsadmCommand(line, &cmd, &svc, &dest, &e)) return fail(e);
    int idx = cfg.Find(svc.key);
    if (cmd == 'A') {
      if (idx >= 0) return fail(fmt::format("duplicate service {}", ServiceName(svc.key)));
      cfg.services.push_back(svc);
      continue;
    }
    if (idx < 0) {
      return fail(fmt::format("{} for unknown service {}",
                              cmd == 'E' || cmd == 'D' ? "edit" : "real server",
                              ServiceName(svc.key)));
    }
    Service& cur = cfg.services[idx];
    if (cmd == 'E') {
      ApplyServiceEdit(&cur, svc);
    } else if (cmd == 'D') {
      cfg.services.erase(cfg.services.begin() + idx);
    } else {
      int at;
      // As ipvsadm -R: each -a goes to the head of the list.
      if (!ApplyDestEdit(&cur, cmd, dest, DestInsert::kHead, &at, &e)) return fail(e);
    }
  }
  *out = std::move(cfg);
  return true;
}

bool ParseIpvsadmConfig(const std::string& path, IpvsConfig* out, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = fmt::format("{}: cannot open", path);
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseIpvsadmConfigText(ss.str(), path, out, err);
}

std::string FormatIpvsadmConfig(const IpvsConfig& config) {
  std::string out;
  for (const Service& svc : config.services) {
    std::string name = ServiceName(svc.key);
    // The option order of ipvs-snapshot: -s, -b, -p, -M.
    out += fmt::format("-A {} -s {}", name, svc.scheduler);
    if (svc.flags & (kSchedFlag1 | kSchedFlag2 | kSchedFlag3))
      out += " -b " + SchedFlagsText(svc.scheduler, svc.flags);
    if (svc.persistence) {
      out += fmt::format(" -p {}", svc.persistence);
      if (svc.netmask_bits >= 0) out += " -M " + NetmaskText(svc);
    }
    out += '\n';
    // Oldest first (the list's tail first), so that -a at the head, as
    // ipvsadm -R does, rebuilds the same list.
    for (auto it = svc.dests.rbegin(); it != svc.dests.rend(); ++it) {
      const Dest& d = *it;
      out += fmt::format("-a {} -r {} -{} -w {}", name, d.ep.ToString(), d.forward, d.weight);
      if (d.u_threshold) out += fmt::format(" -x {}", d.u_threshold);
      if (d.l_threshold) out += fmt::format(" -y {}", d.l_threshold);
      out += '\n';
    }
  }
  return out;
}

}  // namespace ipvs_sim
