// SPDX-License-Identifier: GPL-2.0
#include "ipvsadm_config.h"

#include <fmt/format.h>

#include <cstdio>
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
  int n = 0;
  if (!V4MaskPrefix(a.v4(), &n) || n == 0) {
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

namespace {

// The columns of the command-by-option matrix, as in ipvsadm's
// commands_v_options (only the commands and options a rules file uses).
enum Column {
  kColService,  // -t, -u, --sctp-service, -f
  kColIpv6,     // -6
  kColSched,    // -s
  kColPersist,  // -p
  kColNetmask,  // -M
  kColFlags,    // -b
  kColPe,       // --pe
  kColOps,      // -o
  kColServer,   // -r
  kColForward,  // -g, -i, -m
  kColWeight,   // -w
  kColUThresh,  // -x
  kColLThresh,  // -y
  kColTunnel,   // --tun-*
  kColNumeric,  // -n
  kColumns
};

// For each command, each column: '+' required, 'x' not allowed, ' ' allowed.
struct CommandRow {
  char cmd;
  const char* names[2];
  const char matrix[kColumns + 1];
};
//                                          svc 6 s p M b pe o r fwd w x y tun n
constexpr CommandRow kCommands[] = {
    {'A', {"-A", "--add-service"}, "+       xxxxxx "},
    {'E', {"-E", "--edit-service"}, "+       xxxxxx "},
    {'D', {"-D", "--delete-service"}, "+ xxxxxxxxxxxx "},
    {'a', {"-a", "--add-server"}, "+ xxxxxx+      "},
    {'e', {"-e", "--edit-server"}, "+ xxxxxx+      "},
    {'d', {"-d", "--delete-server"}, "+ xxxxxx+xxxxx "},
};

constexpr bool MatrixIsComplete() {
  for (const CommandRow& c : kCommands)
    for (int i = 0; i < kColumns; ++i)
      if (c.matrix[i] != '+' && c.matrix[i] != 'x' && c.matrix[i] != ' ') return false;
  return true;
}
static_assert(MatrixIsComplete(), "every command row needs one of '+', 'x', ' ' per column");

// What ParseIpvsadmCommand gathers from the words of one line.
struct CommandState {
  char cmd = 0;
  Service s;
  Dest d;
  bool v6_flag = false, have_fwd = false, have_weight = false;
  bool svc_has_port = false, dest_has_port = false;
  std::string svc_text, dest_text;
  std::vector<std::string> named_flags;
  // Options in the order given, with the name an error shows.
  std::vector<std::pair<Column, std::string>> seen;
};

enum class ArgKind { kNone, kRequired, kOptionalNumber };

using OptionFn = bool (*)(CommandState* st, const std::string& opt, const std::string& arg,
                          std::string* err);

// One row of the option table. @once options may be given once, and are
// named by their short form when given twice.
struct OptionRow {
  const char* names[3];
  Column column;
  ArgKind arg;
  bool once;
  OptionFn apply;
};

bool OptVirtual(CommandState* st, const std::string& opt, const std::string& arg,
                std::string* err) {
  for (const auto& [col, name] : st->seen) {
    if (col == kColService) {
      *err = fmt::format("more than one virtual service ({})", opt);
      return false;
    }
  }
  if (opt == "-f" || opt == "--fwmark-service") {
    uint32_t mark;
    if (!ParseDecimal(arg, 0xffffffffu, &mark) || mark == 0) {
      *err = fmt::format("invalid fwmark value '{}' (1..4294967295)", arg);
      return false;
    }
    st->s.key.fwmark = mark;
    return true;
  }
  st->s.key.proto = (opt == "-t" || opt == "--tcp-service")   ? Proto::kTcp
                    : (opt == "-u" || opt == "--udp-service") ? Proto::kUdp
                                                              : Proto::kSctp;
  st->svc_text = arg;
  return ParseAddrPort(arg, "virtual service", &st->s.key.vip, &st->svc_has_port, err);
}

bool OptIpv6(CommandState* st, const std::string&, const std::string&, std::string*) {
  st->v6_flag = true;
  return true;
}

bool OptScheduler(CommandState* st, const std::string&, const std::string& arg, std::string* err) {
  if (arg.empty() || arg.size() > 15) {
    *err = fmt::format("bad scheduler name '{}' (1..15 characters)", arg);
    return false;
  }
  st->s.scheduler = arg;
  return true;
}

bool OptPersistent(CommandState* st, const std::string&, const std::string& arg, std::string* err) {
  st->s.persistence = kDefaultPersistence;
  if (arg.empty()) return true;
  uint32_t t;
  if (!ParseDecimal(arg, kMaxTimeout, &t) || t == 0) {
    *err = fmt::format("invalid timeout value '{}'", arg);
    return false;
  }
  st->s.persistence = t;
  return true;
}

bool OptNetmask(CommandState* st, const std::string&, const std::string& arg, std::string* err) {
  return ParseNetmask(arg, &st->s.netmask_bits, err);
}

bool OptSchedFlags(CommandState* st, const std::string&, const std::string& arg, std::string* err) {
  return ParseSchedFlags(arg, &st->s.flags, &st->named_flags, err);
}

// Accepted, not modelled: persistence engines, one-packet scheduling,
// tunnel details, -n.
bool OptIgnored(CommandState*, const std::string&, const std::string&, std::string*) {
  return true;
}

bool OptServer(CommandState* st, const std::string&, const std::string& arg, std::string* err) {
  st->dest_text = arg;
  return ParseAddrPort(arg, "real server", &st->d.ep, &st->dest_has_port, err);
}

bool OptForward(CommandState* st, const std::string& opt, const std::string&, std::string* err) {
  if (st->have_fwd) {
    *err = fmt::format("more than one forwarding method ({})", opt);
    return false;
  }
  st->have_fwd = true;
  st->d.forward = (opt == "-g" || opt == "--gatewaying") ? 'g'
                  : (opt == "-i" || opt == "--ipip")     ? 'i'
                                                         : 'm';
  return true;
}

bool OptWeight(CommandState* st, const std::string&, const std::string& arg, std::string* err) {
  uint32_t w;
  if (!IsDigits(arg)) {
    *err = fmt::format("bad weight '{}'", arg);
    return false;
  }
  if (!ParseDecimal(arg, kMaxWeight, &w)) {
    *err = fmt::format("weight {} out of range 0..{}", arg, kMaxWeight);
    return false;
  }
  st->d.weight = static_cast<int32_t>(w);
  st->have_weight = true;
  return true;
}

bool OptThreshold(CommandState* st, const std::string& opt, const std::string& arg,
                  std::string* err) {
  bool upper = opt == "-x" || opt == "--u-threshold";
  uint32_t t;
  if (!ParseDecimal(arg, kMaxThreshold, &t)) {
    *err =
        fmt::format("bad {} threshold '{}' (0..{})", upper ? "upper" : "lower", arg, kMaxThreshold);
    return false;
  }
  (upper ? st->d.u_threshold : st->d.l_threshold) = t;
  return true;
}

constexpr OptionRow kOptions[] = {
    {{"-t", "--tcp-service"}, kColService, ArgKind::kRequired, false, OptVirtual},
    {{"-u", "--udp-service"}, kColService, ArgKind::kRequired, false, OptVirtual},
    {{"--sctp-service"}, kColService, ArgKind::kRequired, false, OptVirtual},
    {{"-f", "--fwmark-service"}, kColService, ArgKind::kRequired, false, OptVirtual},
    {{"-6", "--ipv6"}, kColIpv6, ArgKind::kNone, false, OptIpv6},
    {{"-s", "--scheduler"}, kColSched, ArgKind::kRequired, true, OptScheduler},
    {{"-p", "--persistent"}, kColPersist, ArgKind::kOptionalNumber, true, OptPersistent},
    {{"-M", "--netmask"}, kColNetmask, ArgKind::kRequired, true, OptNetmask},
    {{"-b", "--sched-flags"}, kColFlags, ArgKind::kRequired, true, OptSchedFlags},
    {{"--pe"}, kColPe, ArgKind::kRequired, false, OptIgnored},
    {{"-o", "--ops"}, kColOps, ArgKind::kNone, false, OptIgnored},
    {{"-r", "--real-server"}, kColServer, ArgKind::kRequired, true, OptServer},
    {{"-g", "--gatewaying"}, kColForward, ArgKind::kNone, false, OptForward},
    {{"-i", "--ipip"}, kColForward, ArgKind::kNone, false, OptForward},
    {{"-m", "--masquerading"}, kColForward, ArgKind::kNone, false, OptForward},
    {{"-w", "--weight"}, kColWeight, ArgKind::kRequired, true, OptWeight},
    {{"-x", "--u-threshold"}, kColUThresh, ArgKind::kRequired, true, OptThreshold},
    {{"-y", "--l-threshold"}, kColLThresh, ArgKind::kRequired, true, OptThreshold},
    {{"--tun-type"}, kColTunnel, ArgKind::kRequired, false, OptIgnored},
    {{"--tun-port"}, kColTunnel, ArgKind::kRequired, false, OptIgnored},
    {{"--tun-nocsum"}, kColTunnel, ArgKind::kNone, false, OptIgnored},
    {{"--tun-csum"}, kColTunnel, ArgKind::kNone, false, OptIgnored},
    {{"--tun-remcsum"}, kColTunnel, ArgKind::kNone, false, OptIgnored},
    {{"-n", "--numeric"}, kColNumeric, ArgKind::kNone, false, OptIgnored},
};

// ipvsadm's other commands, refused by name.
constexpr const char* kOtherCommands[] = {
    "-C", "--clear", "-R", "--restore", "-S",    "--save",         "-L",
    "-l", "--list",  "-Z", "--zero",    "--set", "--start-daemon", "--stop-daemon",
    "-h", "--help"};

template <typename Row>
const Row* FindRow(const Row* begin, const Row* end, const std::string& opt) {
  for (const Row* r = begin; r != end; ++r)
    for (const char* n : r->names)
      if (n && opt == n) return r;
  return nullptr;
}

// Reads the word at *i (and its argument) into @st.
bool ReadOption(const std::vector<std::string_view>& words, size_t* i, CommandState* st,
                std::string* err) {
  std::string opt(words[*i]), arg;
  bool inline_value = false;
  if (opt.starts_with("--")) {
    size_t eq = opt.find('=');
    if (eq != std::string::npos) {
      arg = opt.substr(eq + 1);
      opt.resize(eq);
      inline_value = true;
    }
  }
  if (const CommandRow* c = FindRow(std::begin(kCommands), std::end(kCommands), opt)) {
    if (st->cmd) {
      *err = fmt::format("more than one command (-{} and {})", st->cmd, opt);
      return false;
    }
    st->cmd = c->cmd;
    return true;
  }
  for (const char* other : kOtherCommands) {
    if (opt == other) {
      *err = fmt::format("unknown command {} (only -A -E -D -a -e -d are understood)", opt);
      return false;
    }
  }
  const OptionRow* o = FindRow(std::begin(kOptions), std::end(kOptions), opt);
  if (!o) {
    *err = opt.starts_with("-") ? fmt::format("unknown option '{}'", opt)
                                : fmt::format("unexpected argument '{}'", opt);
    return false;
  }
  if (o->once) {
    for (const auto& [col, name] : st->seen) {
      if (col == o->column) {
        *err = fmt::format("option {} given twice", o->names[0]);
        return false;
      }
    }
  }
  bool takes = o->arg == ArgKind::kRequired ||
               (o->arg == ArgKind::kOptionalNumber &&
                (inline_value || (*i + 1 < words.size() && IsDigits(words[*i + 1]))));
  if (takes && !inline_value) {
    if (*i + 1 >= words.size()) {
      *err = fmt::format("option {} needs an argument", opt);
      return false;
    }
    arg = words[++*i];
  }
  if (!o->apply(st, opt, arg, err)) return false;
  st->seen.emplace_back(o->column, o->column == kColServer ? "-r" : opt);
  return true;
}

// The command-by-option matrix of @st->cmd, and the checks ipvsadm makes
// of the service once the words are read.
bool CheckCommand(CommandState* st, std::string* err) {
  if (!st->cmd) {
    *err = "no command (-A, -E, -D, -a, -e or -d)";
    return false;
  }
  const char* row = nullptr;
  for (const CommandRow& c : kCommands)
    if (c.cmd == st->cmd) row = c.matrix;
  bool given[kColumns] = {};
  for (const auto& [col, name] : st->seen) given[col] = true;
  if (!given[kColService]) {
    *err = fmt::format("-{} needs a virtual service (-t, -u, --sctp-service or -f)", st->cmd);
    return false;
  }
  if (st->v6_flag) {
    if (!st->s.key.fwmark) {
      *err = "-6 is only for fwmark (-f) services";
      return false;
    }
    st->s.key.fwmark_family = Family::kV6;
  }
  for (const auto& [col, name] : st->seen) {
    if (row[col] == 'x') {
      *err = fmt::format("option {} is not allowed with -{}", name, st->cmd);
      return false;
    }
  }
  if (row[kColServer] == '+' && !given[kColServer]) {
    *err = fmt::format("-{} needs a real server (-r)", st->cmd);
    return false;
  }
  return true;
}

bool FinishService(CommandState* st, std::string* err) {
  Service& s = st->s;
  if ((st->cmd == 'A' || st->cmd == 'E') && !s.key.fwmark && s.key.vip.port == 0 &&
      !s.persistence) {
    *err =
        fmt::format("zero port in '{}' is only valid for a persistent service (-p)", st->svc_text);
    return false;
  }
  for (const std::string& f : st->named_flags) {
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
  return true;
}

bool FinishDest(CommandState* st, std::string* err) {
  const Service& s = st->s;
  Dest& d = st->d;
  if (!st->have_fwd) d.forward = 'g';  // ipvsadm's default: direct routing
  // ipvsadm's -r: a real server without a port takes the service's
  // ("copy vport to dport if not specified"; a fwmark service's is 0).
  if (!st->dest_has_port) d.ep.port = s.key.fwmark ? 0 : s.key.vip.port;
  if (st->cmd != 'a' && st->cmd != 'e') return true;
  // ipvsadm checks these for CMD_ADDDEST and CMD_EDITDEST only, never for
  // -d: tunnelling alone may cross address families, and direct routing
  // or tunnelling force the real server's port to the virtual port
  // ("Don't worry about this if fwmark is used").
  if (d.ep.addr.family != s.family() && d.forward != 'i') {
    *err = fmt::format(
        "real server {} is not of the service's address family (only -i allows "
        "that)",
        st->dest_text);
    return false;
  }
  if (!s.key.fwmark && (d.forward == 'g' || d.forward == 'i')) d.ep.port = s.key.vip.port;
  if (!st->have_weight) d.weight = 1;
  d.last_weight = d.weight;
  return true;
}

}  // namespace

bool ParseIpvsadmCommand(const std::string& line, char* what, Service* svc, Dest* dest,
                         std::string* err) {
  std::vector<std::string_view> words = SplitWords(line);
  size_t i = 0;
  if (!words.empty() && (words[0] == "ipvsadm" || words[0].ends_with("/ipvsadm"))) ++i;
  CommandState st;
  for (; i < words.size(); ++i)
    if (!ReadOption(words, &i, &st, err)) return false;
  if (!CheckCommand(&st, err) || !FinishService(&st, err)) return false;
  bool dest_cmd = st.cmd == 'a' || st.cmd == 'e' || st.cmd == 'd';
  if (dest_cmd && !FinishDest(&st, err)) return false;
  *what = st.cmd;
  *svc = st.s;
  *dest = st.d;
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
  std::string text;
  if (!ReadWholeFile(path, &text, err)) return false;
  return ParseIpvsadmConfigText(text, path, out, err);
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
      out += FormatDestCommand('a', svc.key, *it);
      out += '\n';
    }
  }
  return out;
}

std::string FormatDestCommand(char cmd, const ServiceKey& key, const Dest& d) {
  std::string out = fmt::format("-{} {} -r {}", cmd, ServiceName(key), d.ep.ToString());
  if (cmd == 'd') return out;
  out += fmt::format(" -{} -w {}", d.forward, d.weight);
  if (d.u_threshold) out += fmt::format(" -x {}", d.u_threshold);
  if (d.l_threshold) out += fmt::format(" -y {}", d.l_threshold);
  return out;
}

}  // namespace ipvs_sim
