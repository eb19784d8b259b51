// SPDX-License-Identifier: GPL-2.0
#include "keepalived_config.h"

#include <fmt/format.h>
#include <glob.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>

#include "text_lines.h"
#include "text_parse.h"

namespace ipvs_sim {

namespace {

constexpr uint32_t kKeepalivedPersistence = 360;  // IPVS_SVC_PERSISTENT_TIMEOUT (6*60)
constexpr int kMaxIncludeDepth = 32;
constexpr uint32_t kKeepalivedMaxWeight = INT32_MAX;  // IPVS_WEIGHT_LIMIT
constexpr uint32_t kMaxWeight = 65535;                // ipvsadm's, and the simulator's

const char* const kSchedulers[] = {"rr", "wrr", "lc",  "wlc",   "lblc", "sh", "mh",
                                   "dh", "fo",  "ovf", "lblcr", "sed",  "nq", "twos"};

// One line of words after comments, includes, conditions and definitions;
// "{" and "}" are words of their own.
struct Line {
  std::string file;
  int lineno = 0;
  std::vector<std::string> words;
  std::string where() const { return fmt::format("{}:{}", file, lineno); }
};

// A statement and, if it opened one, its block.
struct Node {
  std::string file;
  int lineno = 0;
  std::vector<std::string> words;
  bool has_block = false;
  std::vector<Node> children;
  std::string where() const { return fmt::format("{}:{}", file, lineno); }
  const std::string& word(size_t i) const {
    static const std::string kEmpty;
    return i < words.size() ? words[i] : kEmpty;
  }
};

class Reader {
 public:
  Reader(const KeepalivedOptions& opts, std::vector<std::string>* warnings)
      : opts_(opts), warnings_(warnings) {}

  bool ReadText(const std::string& text, const std::string& name, const std::string& dir, int depth,
                std::string* err);
  std::vector<Line>& lines() { return lines_; }

 private:
  void Warn(const std::string& where, const std::string& what) {
    warnings_->push_back(fmt::format("{}: {}", where, what));
  }
  bool Include(const std::string& pattern, const std::string& dir, const std::string& where,
               int depth, std::string* err);
  std::string Substitute(const std::string& line) const;

  const KeepalivedOptions& opts_;
  std::vector<std::string>* warnings_;
  std::vector<Line> lines_;
  std::map<std::string, std::string> defs_;
  std::set<std::string> warned_ids_;  // "file id" already warned about
};

// decomment(): drops what follows an unquoted, unescaped '#' or '!', the
// backslash of "\#" / "\!", and surrounding blanks. *cont is set for a
// trailing '\', which stays (keepalived continues only definitions).
std::string Decomment(std::string_view in, bool* cont) {
  std::string out;
  bool quote = false;
  *cont = false;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '"') {
      quote = !quote;
    } else if (c == '\\') {
      if (i + 1 == in.size()) {
        // Kept, as decomment() keeps it: only a definition continues on
        // the next line.
        *cont = true;
        out += c;
        break;
      }
      if (!quote && (in[i + 1] == '#' || in[i + 1] == '!')) {
        out += in[++i];
        continue;
      }
      out += c;
      out += in[++i];
      continue;
    } else if (!quote && (c == '#' || c == '!')) {
      break;
    }
    out += c;
  }
  size_t b = out.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = out.find_last_not_of(" \t\r");
  return out.substr(b, e - b + 1);
}

// Words split at blanks, "{" and "}" on their own; double quotes group.
std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> words;
  std::string cur;
  bool quote = false, have = false;
  auto flush = [&]() {
    if (have) words.push_back(cur);
    cur.clear();
    have = false;
  };
  for (char c : line) {
    if (quote) {
      if (c == '"')
        quote = false;
      else
        cur += c;
      continue;
    }
    if (c == '"') {
      quote = true;
      have = true;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      flush();
    } else if (c == '{' || c == '}') {
      flush();
      words.emplace_back(1, c);
    } else {
      cur += c;
      have = true;
    }
  }
  flush();
  return words;
}

std::string Reader::Substitute(const std::string& line) const {
  if (defs_.empty() || line.find('$') == std::string::npos) return line;
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '$') {
      out += line[i];
      continue;
    }
    size_t start = i + 1, end;
    bool braced = start < line.size() && line[start] == '{';
    if (braced) {
      end = line.find('}', start);
      if (end == std::string::npos) {
        out += line[i];
        continue;
      }
      auto it = defs_.find(line.substr(start + 1, end - start - 1));
      if (it == defs_.end()) {
        out += line.substr(i, end - i + 1);
      } else {
        out += it->second;
      }
      i = end;
      continue;
    }
    end = start;
    while (end < line.size() &&
           (isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_'))
      ++end;
    auto it = defs_.find(line.substr(start, end - start));
    if (end == start || it == defs_.end()) {
      out += line[i];
      continue;
    }
    out += it->second;
    i = end - 1;
  }
  return out;
}

bool Reader::Include(const std::string& pattern, const std::string& dir, const std::string& where,
                     int depth, std::string* err) {
  if (depth >= kMaxIncludeDepth) {
    *err = fmt::format("{}: include nested more than {} deep", where, kMaxIncludeDepth);
    return false;
  }
  // keepalived chdir()s to the directory of the file it reads, so a
  // relative pattern is relative to the including file.
  std::string full = pattern.starts_with("/") || dir.empty() ? pattern : dir + "/" + pattern;
  glob_t g{};
  int flags = GLOB_MARK;
#ifdef GLOB_BRACE
  flags |= GLOB_BRACE;
#endif
  int res = glob(full.c_str(), flags, nullptr, &g);
  if (res == GLOB_NOMATCH) {
    Warn(where, fmt::format("include '{}': no matching file (keepalived skips it)", pattern));
    globfree(&g);
    return true;
  }
  if (res != 0) {
    globfree(&g);
    *err = fmt::format("{}: include '{}': glob failed", where, pattern);
    return false;
  }
  std::vector<std::string> paths(g.gl_pathv, g.gl_pathv + g.gl_pathc);
  globfree(&g);
  for (const std::string& p : paths) {
    if (p.ends_with("/")) {  // a directory (GLOB_MARK)
      Warn(where, fmt::format("include: '{}' is a directory (keepalived skips it)", p));
      continue;
    }
    std::string text, why;
    if (!ReadWholeFile(p, &text, &why)) {
      Warn(where, fmt::format("include: cannot open '{}' (keepalived skips it)", p));
      continue;
    }
    std::string sub = std::filesystem::path(p).parent_path().string();
    if (!ReadText(text, p, sub, depth + 1, err)) return false;
  }
  return true;
}

bool Reader::ReadText(const std::string& text, const std::string& name, const std::string& dir,
                      int depth, std::string* err) {
  LineSplitter split(text);
  std::string_view view;
  while (split.Next(&view)) {
    if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
    bool cont;
    std::string line = Decomment(view, &cont);
    int lineno = split.lineno();
    if (line.empty()) continue;
    std::string where = fmt::format("{}:{}", name, lineno);
    if (line[0] == '@') {
      bool rev = line.size() > 1 && line[1] == '^';
      size_t ofs = rev ? 2 : 1;
      size_t sp = line.find_first_of(" \t", ofs);
      if (sp == std::string::npos) continue;
      std::string id = line.substr(ofs, sp - ofs);
      bool match = !opts_.config_id.empty() && id == opts_.config_id;
      if (match == rev) {  // not for this config id
        if (!rev && opts_.config_id.empty() && warned_ids_.insert(name + " " + id).second)
          Warn(where,
               fmt::format("lines '@{} ...' skipped: keepalived applies them when its config "
                           "id (keepalived -i; by default the host name) is {}: give "
                           "--keepalived-id {} to read them",
                           id, id, id));
        continue;
      }
      line = line.substr(line.find_first_not_of(" \t", sp));
    }
    if (line[0] == '$' && line.size() > 1 &&
        (isalpha(static_cast<unsigned char>(line[1])) || line[1] == '_')) {
      // check_definition(): $NAME[ \t]*=VALUE
      size_t n = 2;
      while (n < line.size() && (isalnum(static_cast<unsigned char>(line[n])) || line[n] == '_'))
        ++n;
      size_t eq = line.find_first_not_of(" \t", n);
      if (eq != std::string::npos && line[eq] == '=') {
        if (cont) {
          *err = fmt::format(
              "{}: multi-line definitions (a '\\' at the end) are not supported "
              "by the simulator",
              where);
          return false;
        }
        std::string value = line.substr(eq + 1);
        size_t b = value.find_first_not_of(" \t");
        defs_[line.substr(1, n - 1)] = b == std::string::npos ? "" : value.substr(b);
        continue;
      }
    }
    if (line.starts_with("~SEQ") || line.starts_with("~LST")) {
      *err = fmt::format("{}: ~SEQ and ~LST are not supported by the simulator", where);
      return false;
    }
    line = Substitute(line);
    std::vector<std::string> words = Words(line);
    if (words.empty()) continue;
    if (words[0] == "include" || words[0] == "includer" || words[0] == "includem" ||
        words[0] == "includew" || words[0] == "includeb" || words[0] == "includea") {
      if (words.size() < 2) {
        Warn(where, "include without a file name (ignored)");
        continue;
      }
      if (!Include(words[1], dir, where, depth, err)) return false;
      continue;
    }
    lines_.push_back(Line{name, lineno, std::move(words)});
  }
  return true;
}

// Builds the block tree. "{" opens a block for the statement before it on
// the same line or, alone on a line, for the previous statement.
bool BuildTree(const std::vector<Line>& lines, std::vector<Node>* top, std::string* err) {
  std::vector<std::vector<Node>*> stack{top};
  std::vector<std::string> opened;  // where each open block started
  for (const Line& l : lines) {
    Node cur;
    cur.file = l.file;
    cur.lineno = l.lineno;
    bool have = false;
    auto flush = [&]() {
      if (have) stack.back()->push_back(std::move(cur));
      cur = Node();
      cur.file = l.file;
      cur.lineno = l.lineno;
      have = false;
    };
    for (const std::string& w : l.words) {
      if (w == "{") {
        flush();
        std::vector<Node>* level = stack.back();
        if (level->empty()) {
          // A bare block: keepalived reads it as part of nothing; skip it.
          Node anon;
          anon.file = l.file;
          anon.lineno = l.lineno;
          level->push_back(std::move(anon));
        }
        Node& owner = level->back();
        owner.has_block = true;
        stack.push_back(&owner.children);
        opened.push_back(l.where());
      } else if (w == "}") {
        flush();
        if (stack.size() == 1) {
          *err = fmt::format("{}: extra '}}'", l.where());
          return false;
        }
        stack.pop_back();
        opened.pop_back();
      } else {
        cur.words.push_back(w);
        have = true;
      }
    }
    flush();
  }
  if (stack.size() > 1) {
    *err = fmt::format("{}: block not closed at the end of the configuration", opened.back());
    return false;
  }
  return true;
}

// keepalived's inet_stosockaddr for "ADDR" and "PORT" (port 0 / none: 0).
bool ParseAddr(const std::string& text, IpAddr* out) {
  std::string t = text;
  if (t.size() > 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  return IpAddr::Parse(t, out);
}

// A port word, or none (empty): 0.
bool PortOrNone(const std::string& text, uint16_t* port) {
  if (text.empty()) {
    *port = 0;
    return true;
  }
  return ParsePort(text, port);
}

// A real or sorry server as written.
struct Server {
  std::string where;
  Endpoint ep;
  char forward = 0;     // 0: the virtual server's
  int64_t weight = -1;  // -1: the virtual server's
  uint32_t u_threshold = 0, l_threshold = 0;
  int inhibit = -1;  // -1: the virtual server's
  int alpha = -1;    // -1: the virtual server's
  // Per checker block: its own "alpha" (0/1), or -1 for the real server's.
  std::vector<int> checker_alpha;
};

// keepalived's check_true_false() for an optional argument: none is true.
int TrueFalse(const std::string& w) {
  if (w.empty() || w == "true" || w == "on" || w == "yes") return 1;
  if (w == "false" || w == "off" || w == "no") return 0;
  return -1;
}

// A virtual_server as written and after keepalived's checks.
struct VirtualServer {
  std::string where;
  enum { kAddr, kFwmark, kGroup } form = kAddr;
  Endpoint addr;
  uint32_t fwmark = 0;
  std::string group;
  int family = 0;  // 0 unset, 4, 6 (ip_family)
  std::string sched;
  uint32_t flags = 0;
  char forward = 0;
  int proto = 0;  // 0 unset
  std::string proto_where;
  uint32_t persistence = 0;
  int netmask_bits = -1;
  int64_t weight = 1;
  bool inhibit = false;
  bool alpha = false;
  uint64_t quorum = 1;
  uint64_t hysteresis = 0;
  std::vector<Server> servers;
  bool has_sorry = false;
  Server sorry;
  bool sorry_inhibit = false;
};

struct GroupEntry {
  std::string where;
  bool fwmark = false;
  uint32_t mark = 0;
  int fwmark_family = 0;  // 0 unset
  IpAddr first, last;
  uint16_t port = 0;
};

class Interpreter {
 public:
  Interpreter(std::vector<std::string>* warnings) : warnings_(warnings) {}
  bool Run(const std::vector<Node>& top, IpvsConfig* out, std::string* err);

 private:
  void Warn(const std::string& where, const std::string& what) {
    warnings_->push_back(fmt::format("{}: {}", where, what));
  }
  bool Group(const Node& n, std::string* err);
  // The steps of Emit.
  Proto FillDefaults(VirtualServer& vs, const std::vector<GroupEntry>* entries,
                     const std::vector<Server>& servers, const std::string& name);
  std::vector<Server> UsableServers(VirtualServer& vs, const std::string& name);
  void SorryFamily(VirtualServer& vs);
  bool GroupFamily(VirtualServer& vs, const std::vector<GroupEntry>& entries,
                   const std::string& name);
  void FixPort(const VirtualServer& vs, const std::vector<GroupEntry>* entries,
               const std::string& name, Server* s, const char* kind);
  bool ServiceKeys(const VirtualServer& vs, const std::vector<GroupEntry>* entries, Proto proto,
                   std::vector<ServiceKey>* keys, std::string* err);
  bool StartService(const VirtualServer& vs, const std::vector<Server>& servers,
                    const std::string& name, bool first, Service* svc, std::string* err);
  bool Granularity(const Node& c, VirtualServer& vs, std::string* err);
  bool SchedKeyword(const Node& c, VirtualServer& vs);
  // The other steps of Virtual.
  bool AddressKeyword(const Node& c, VirtualServer& vs);
  void PersistenceTimeout(const Node& c, VirtualServer& vs);
  bool VirtualWeight(const Node& c, VirtualServer& vs, std::string* err);
  bool SorryKeyword(const Node& c, VirtualServer& vs, std::string* err);
  bool VirtualHead(const Node& n, VirtualServer* vs);
  bool RealServer(const Node& c, VirtualServer& vs, std::string* err);
  // The steps of Group: false when keepalived skips the entry (warned).
  bool GroupFwmark(const Node& c, const std::string& name, GroupEntry* e);
  bool GroupRangeEnd(const Node& c, const std::string& addr, const std::string& last_text,
                     GroupEntry* e);
  bool Virtual(const Node& n, std::string* err);
  bool ServerLine(const Node& n, const char* kind, Server* s, std::string* err);
  bool Forwarding(const Node& n, const char* kind, char* fwd);
  bool Emit(VirtualServer& vs, IpvsConfig* out, std::string* err);

  std::vector<std::string>* warnings_;
  std::map<std::string, std::vector<GroupEntry>> groups_;
  std::vector<VirtualServer> vss_;
};

bool Interpreter::Forwarding(const Node& n, const char* kind, char* fwd) {
  const std::string& m = n.word(1);
  if (m == "NAT") {
    *fwd = 'm';
  } else if (m == "DR") {
    *fwd = 'g';
  } else if (m == "TUN") {
    *fwd = 'i';
  } else {
    Warn(n.where(),
         fmt::format("keepalived: unknown [{}] routing method for {} server (ignored)", m, kind));
    return false;
  }
  return true;
}

bool Interpreter::GroupFwmark(const Node& c, const std::string& name, GroupEntry* e) {
  uint64_t mark;
  if (!ParseDecimal(c.word(1), UINT32_MAX, &mark)) {
    Warn(c.where(), fmt::format("keepalived: ({}): fwmark '{}' must be in [0, {}] - ignoring", name,
                                c.word(1), UINT32_MAX));
    return false;
  }
  e->fwmark = true;
  e->mark = static_cast<uint32_t>(mark);
  if (c.word(2) == "inet") {
    e->fwmark_family = 4;
  } else if (c.word(2) == "inet6") {
    e->fwmark_family = 6;
  } else if (!c.word(2).empty()) {
    Warn(c.where(), fmt::format("keepalived: ({}): fwmark '{}' family {} unknown - ignoring", name,
                                mark, c.word(2)));
    return false;
  }
  return true;
}

// "a.b.c.d-e" / "a.b.c.d-a.b.c.e" (IPv6: hex "...:x-y"): e->last from the
// end of the range, which must lie above e->first.
bool Interpreter::GroupRangeEnd(const Node& c, const std::string& addr,
                                const std::string& last_text, GroupEntry* e) {
  bool v6 = e->first.family == Family::kV6;
  bool full = last_text.find(v6 ? ':' : '.') != std::string::npos;
  if (full) {
    if (!ParseAddr(last_text, &e->last) || e->last.family != e->first.family) {
      Warn(c.where(), fmt::format("keepalived: Invalid range end {} - skipping", addr));
      return false;
    }
  } else {
    uint64_t end;
    bool ok = v6 ? ParseHex(last_text, uint64_t{0xffff}, &end) : ParseDecimal(last_text, 255, &end);
    if (!ok) {
      Warn(c.where(), fmt::format("keepalived: Virtual server group range '{}' end '{}' "
                                  "invalid - skipping",
                                  addr, last_text));
      return false;
    }
    if (v6) {
      e->last.bytes[14] = static_cast<uint8_t>(end >> 8);
      e->last.bytes[15] = static_cast<uint8_t>(end);
    } else {
      e->last.bytes[3] = static_cast<uint8_t>(end);
    }
    uint32_t start = v6 ? (e->first.bytes[14] << 8 | e->first.bytes[15]) : e->first.bytes[3];
    if (start >= end) {
      Warn(c.where(), fmt::format("keepalived: Address range end is not greater than address "
                                  "range start - {} - skipping",
                                  addr));
      return false;
    }
  }
  // The kernel services are made by counting up the last 32 (IPv4) or 16
  // (IPv6) bits: the rest of the end address is ignored.
  if (e->last < e->first) {
    Warn(c.where(), fmt::format("keepalived: Address range end is less than address range "
                                "start - {} - skipping",
                                addr));
    return false;
  }
  return true;
}

bool Interpreter::Group(const Node& n, std::string* err) {
  const std::string& name = n.word(1);
  if (name.empty()) {
    *err = fmt::format("{}: virtual_server_group needs a name", n.where());
    return false;
  }
  std::vector<GroupEntry> entries;
  for (const Node& c : n.children) {
    GroupEntry e;
    e.where = c.where();
    if (c.word(0) == "fwmark") {
      if (GroupFwmark(c, name, &e)) entries.push_back(e);
      continue;
    }
    std::string addr = c.word(0);
    if (addr.find('/') != std::string::npos) {
      *err = fmt::format(
          "{}: virtual_server_group entry '{}': address/mask blocks are not supported "
          "by the simulator (write a range a.b.c.d-e)",
          c.where(), addr);
      return false;
    }
    std::string first = addr, last_text;
    size_t dash = addr.find('-');
    if (dash != std::string::npos) {
      first = addr.substr(0, dash);
      last_text = addr.substr(dash + 1);
    }
    if (!ParseAddr(first, &e.first) || !PortOrNone(c.word(1), &e.port)) {
      Warn(c.where(), fmt::format("keepalived: Invalid virtual server group IP address {} {} - "
                                  "skipping",
                                  addr, c.word(1)));
      continue;
    }
    e.last = e.first;
    if (!last_text.empty() && !GroupRangeEnd(c, addr, last_text, &e)) continue;
    entries.push_back(e);
  }
  if (entries.empty()) {
    Warn(n.where(),
         fmt::format("keepalived: virtual server group {} has no entries - removing", name));
    return true;
  }
  bool v4 = false, v6 = false, fwmark_no_family = false;
  for (const GroupEntry& e : entries) {
    int fam = e.fwmark ? e.fwmark_family : e.first.family == Family::kV6 ? 6 : 4;
    fwmark_no_family = fwmark_no_family || fam == 0;
    v4 = v4 || fam == 4;
    v6 = v6 || fam == 6;
  }
  if (v4 && v6 && fwmark_no_family) {
    Warn(n.where(), fmt::format("keepalived: virtual server group {} cannot have IPv4, IPv6 and "
                                "fwmark without family - removing",
                                name));
    return true;
  }
  groups_[name] = std::move(entries);
  return true;
}

bool Interpreter::ServerLine(const Node& n, const char* kind, Server* s, std::string* err) {
  s->where = n.where();
  if (!ParseAddr(n.word(1), &s->ep.addr) || !PortOrNone(n.word(2), &s->ep.port)) {
    Warn(n.where(), fmt::format("keepalived: Invalid {} server ip address/port {}/{} - skipping",
                                kind, n.word(1), n.word(2)));
    return false;
  }
  (void)err;
  return true;
}

// persistence_granularity: an IPv6 prefix length or an IPv4 netmask. A
// value keepalived ignores is warned about; false only for what the
// simulator cannot model.
bool Interpreter::Granularity(const Node& c, VirtualServer& vs, std::string* err) {
  const std::string& g = c.word(1);
  bool v4 = vs.family == 4 || (vs.family == 0 && g.find('.') != std::string::npos);
  if (!v4) {
    uint64_t bits;
    if (!ParseDecimal(g, 128, &bits) || bits == 0) {
      Warn(c.where(), fmt::format("keepalived: Invalid IPv6 persistence_granularity specified "
                                  "- {} (ignored)",
                                  g));
      return true;
    }
    vs.netmask_bits = static_cast<int>(bits);
    if (vs.family == 0) vs.family = 6;
  } else {
    IpAddr m;
    if (!IpAddr::Parse(g, &m) || m.family != Family::kV4) {
      Warn(c.where(), fmt::format("keepalived: Invalid IPv4 persistence_granularity specified "
                                  "- {} (ignored)",
                                  g));
      return true;
    }
    int bits = 0;
    bool contiguous = V4MaskPrefix(m.v4(), &bits);
    if (!contiguous || bits == 0) {
      *err = fmt::format(
          "{}: persistence_granularity {} {}: keepalived and the kernel accept it, the "
          "simulator cannot model it",
          c.where(), g, contiguous ? "has no bits" : "is not a contiguous mask");
      return false;
    }
    vs.netmask_bits = bits;
    if (vs.family == 0) vs.family = 4;
  }
  if (!vs.persistence) vs.persistence = kKeepalivedPersistence;
  return true;
}

// A real_server block into vs.servers (skipped with a warning when its
// address is bad). False only for a weight the simulator cannot take.
bool Interpreter::RealServer(const Node& c, VirtualServer& vs, std::string* err) {
  Server s;
  if (!ServerLine(c, "real", &s, err)) return true;
  for (const Node& r : c.children) {
    const std::string& rk = r.word(0);
    if (rk == "weight") {
      uint64_t w;
      if (!ParseDecimal(r.word(1), kKeepalivedMaxWeight, &w)) {
        Warn(r.where(), fmt::format("keepalived: Real server weight {} is outside range "
                                    "0-{} (ignored)",
                                    r.word(1), kKeepalivedMaxWeight));
        continue;
      }
      if (w > kMaxWeight) {
        *err = fmt::format(
            "{}: weight {} above {}: keepalived and the kernel take it, "
            "ipvsadm and the simulator do not",
            r.where(), w, kMaxWeight);
        return false;
      }
      s.weight = static_cast<int64_t>(w);
    } else if (rk == "lvs_method") {
      Forwarding(r, "real", &s.forward);
    } else if (rk == "uthreshold" || rk == "lthreshold") {
      uint64_t t;
      if (!ParseDecimal(r.word(1), UINT32_MAX, &t)) {
        Warn(r.where(),
             fmt::format("keepalived: Invalid real_server {} '{}' - ignoring", rk, r.word(1)));
        continue;
      }
      (rk == "uthreshold" ? s.u_threshold : s.l_threshold) = static_cast<uint32_t>(t);
    } else if (rk == "inhibit_on_failure") {
      s.inhibit = 1;
    } else if (rk == "alpha") {
      s.alpha = TrueFalse(r.word(1)) == 1;
    } else if (r.has_block &&
               (rk == "HTTP_GET" || rk == "SSL_GET" || rk == "TCP_CHECK" || rk == "UDP_CHECK" ||
                rk == "SMTP_CHECK" || rk == "DNS_CHECK" || rk == "MISC_CHECK" ||
                rk == "PING_CHECK" || rk == "BFD_CHECK" || rk == "FILE_CHECK")) {
      int a = -1;
      for (const Node& ck : r.children)
        if (ck.word(0) == "alpha") a = TrueFalse(ck.word(1)) == 1;
      s.checker_alpha.push_back(a);
    }
  }
  vs.servers.push_back(s);
  return true;
}

// The scheduler keywords of a virtual_server block (lb_algo / lvs_sched,
// flag-N, sh-*/mh-*, hashed) into @vs, with keepalived's warnings. False
// when @c is no such keyword.
bool Interpreter::SchedKeyword(const Node& c, VirtualServer& vs) {
  const std::string& k = c.word(0);
  if (k == "lb_algo" || k == "lvs_sched") {
    const std::string& name = c.word(1);
    bool known = false;
    for (const char* s : kSchedulers) known = known || name == s;
    if (!known) {
      Warn(c.where(),
           fmt::format("keepalived rejects {} '{}' (\"Invalid lvs_scheduler '{}' - ignoring\": "
                       "not one of rr wrr lc wlc lblc sh mh dh fo ovf lblcr sed nq twos); the "
                       "kernel gets {}{}",
                       k, name, name, vs.sched.empty() ? "wlc, keepalived's default" : vs.sched,
                       name == "wmh" ? ". For wmh load ip_vs_wmh with sched_name=mh (or sh) "
                                       "and write lb_algo mh (or sh); simulate that with "
                                       "--wmh-sched-name mh"
                                     : ""));
      return true;
    }
    vs.sched = name;
  } else if (k == "flag-1") {
    vs.flags |= kSchedFlag1;
  } else if (k == "flag-2") {
    vs.flags |= kSchedFlag2;
  } else if (k == "flag-3") {
    vs.flags |= kSchedFlag3;
  } else if (k == "sh-port" || k == "sh-fallback" || k == "mh-port" || k == "mh-fallback" ||
             k == "hashed") {
    std::string want = k.substr(0, 2);
    if (vs.sched == "sh" || vs.sched == "mh") {
      // keepalived silently ignores mh-* with sh and sh-* with mh.
      if (k == vs.sched + "-port") vs.flags |= kSchedFlag2;
      if (k == vs.sched + "-fallback") vs.flags |= kSchedFlag1;
      if (k != "hashed" && want != vs.sched)
        Warn(c.where(), fmt::format("keepalived ignores {} for lb_algo {} (silently); the kernel "
                                    "gets no flag for it",
                                    k, vs.sched));
    } else {
      Warn(c.where(),
           fmt::format("keepalived ignores {} (\"{} only applies to sh scheduler - ignoring\"): "
                       "the scheduler set before it is {}; write it after lb_algo {}",
                       k, k, vs.sched.empty() ? "none" : vs.sched, want == "ha" ? "sh" : want));
    }
  } else {
    return false;
  }
  return true;
}

// "virtual_server group NAME | fwmark MARK | ADDR PORT" into @vs; false
// (warned) when keepalived skips the whole block.
bool Interpreter::VirtualHead(const Node& n, VirtualServer* vs) {
  const std::string& p1 = n.word(1);
  if (p1 == "group") {
    vs->form = VirtualServer::kGroup;
    vs->group = n.word(2);
  } else if (p1 == "fwmark") {
    uint64_t mark;
    if (!ParseDecimal(n.word(2), UINT32_MAX, &mark)) {
      Warn(n.where(),
           fmt::format("keepalived: virtual server fwmark '{}' must be in [0, {}] - ignoring",
                       n.word(2), UINT32_MAX));
      return false;
    }
    vs->form = VirtualServer::kFwmark;
    vs->fwmark = static_cast<uint32_t>(mark);
  } else {
    if (!ParseAddr(p1, &vs->addr.addr) || !PortOrNone(n.word(2), &vs->addr.port)) {
      Warn(n.where(), fmt::format("keepalived: Invalid virtual server IP address/port {} {} - "
                                  "skipping",
                                  p1, n.word(2)));
      return false;
    }
    vs->family = vs->addr.addr.family == Family::kV6 ? 6 : 4;
  }
  return true;
}

// protocol and ip_family of a virtual_server block into @vs; false when @c
// is neither.
bool Interpreter::AddressKeyword(const Node& c, VirtualServer& vs) {
  const std::string& k = c.word(0);
  if (k == "protocol") {
    std::string p = c.word(1);
    for (char& ch : p) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
    if (p == "TCP")
      vs.proto = 6;
    else if (p == "UDP")
      vs.proto = 17;
    else if (p == "SCTP")
      vs.proto = 132;
    else
      Warn(c.where(), fmt::format("keepalived: Unknown protocol {} - ignoring", c.word(1)));
    vs.proto_where = c.where();
  } else if (k == "ip_family") {
    if (c.word(1) == "inet")
      vs.family = 4;
    else if (c.word(1) == "inet6")
      vs.family = 6;
    else
      Warn(c.where(), fmt::format("keepalived: unknown address family {}", c.word(1)));
  } else {
    return false;
  }
  return true;
}

// persistence_timeout [SECONDS] into @vs (warned and ignored when invalid).
void Interpreter::PersistenceTimeout(const Node& c, VirtualServer& vs) {
  if (c.words.size() < 2) {
    vs.persistence = kKeepalivedPersistence;
    return;
  }
  uint64_t t;
  if (!ParseDecimal(c.word(1), 2678400, &t) || t == 0) {  // LVS_MAX_TIMEOUT: 31 days
    Warn(c.where(), "keepalived: persistence_timeout invalid (ignored)");
    return;
  }
  vs.persistence = static_cast<uint32_t>(t);
}

// The virtual server's default weight into @vs; false (@err) for a weight
// keepalived takes but ipvsadm and the simulator do not.
bool Interpreter::VirtualWeight(const Node& c, VirtualServer& vs, std::string* err) {
  uint64_t w;
  if (!ParseDecimal(c.word(1), kKeepalivedMaxWeight, &w)) {
    Warn(c.where(),
         fmt::format("keepalived: virtual server weight {} invalid (ignored)", c.word(1)));
    return true;
  }
  if (w > kMaxWeight) {
    *err = fmt::format(
        "{}: weight {} above {}: keepalived and the kernel take it, ipvsadm "
        "and the simulator do not",
        c.where(), w, kMaxWeight);
    return false;
  }
  vs.weight = static_cast<int64_t>(w);
  return true;
}

// sorry_server, sorry_server_inhibit and sorry_server_lvs_method into @vs;
// false when @c is none of them.
bool Interpreter::SorryKeyword(const Node& c, VirtualServer& vs, std::string* err) {
  const std::string& k = c.word(0);
  if (k == "sorry_server") {
    Server s;
    if (ServerLine(c, "sorry", &s, err)) {
      vs.has_sorry = true;
      vs.sorry = s;
    }
  } else if (k == "sorry_server_inhibit") {
    if (vs.has_sorry)
      vs.sorry_inhibit = true;
    else
      Warn(c.where(),
           "keepalived: Ignoring sorry_server inhibit used before or without "
           "sorry_server");
  } else if (k == "sorry_server_lvs_method") {
    if (vs.has_sorry)
      Forwarding(c, "sorry", &vs.sorry.forward);
    else
      Warn(c.where(), "keepalived: sorry_server forwarding used without sorry_server");
  } else {
    return false;
  }
  return true;
}

bool Interpreter::Virtual(const Node& n, std::string* err) {
  VirtualServer vs;
  vs.where = n.where();
  if (!VirtualHead(n, &vs)) return true;
  for (const Node& c : n.children) {
    const std::string& k = c.word(0);
    if (SchedKeyword(c, vs) || AddressKeyword(c, vs) || SorryKeyword(c, vs, err)) {
      // lb_algo, the flags and the hash options; protocol and ip_family;
      // the sorry server.
    } else if (k == "ops") {
      // One-packet scheduling: not modelled.
    } else if (k == "lb_kind" || k == "lvs_method") {
      Forwarding(c, "virtual", &vs.forward);
    } else if (k == "persistence_timeout") {
      PersistenceTimeout(c, vs);
    } else if (k == "persistence_granularity") {
      if (!Granularity(c, vs, err)) return false;
    } else if (k == "weight") {
      if (!VirtualWeight(c, vs, err)) return false;
    } else if (k == "inhibit_on_failure") {
      vs.inhibit = true;
    } else if (k == "alpha") {
      vs.alpha = TrueFalse(c.word(1)) == 1;
    } else if (k == "quorum" || k == "hysteresis") {
      uint64_t v;
      if (!ParseDecimal(c.word(1), UINT32_MAX, &v) || (k == "quorum" && v == 0)) {
        Warn(c.where(), fmt::format("keepalived: {} '{}' invalid (ignored)", k, c.word(1)));
        continue;
      }
      (k == "quorum" ? vs.quorum : vs.hysteresis) = v;
    } else if (k == "real_server") {
      if (!RealServer(c, vs, err)) return false;
    }
    // Every other keyword (delay_loop, quorum, checkers' settings, ...)
    // does not change what IPVS holds at start-up.
  }
  vss_.push_back(std::move(vs));
  return true;
}

Family FamilyOf(int f) { return f == 6 ? Family::kV6 : Family::kV4; }

// The real servers keepalived keeps: the address family of the virtual
// server (decided by the first real server that is not tunnelled, when the
// virtual server does not decide it: rs_end_handler), and no duplicates.
std::vector<Server> Interpreter::UsableServers(VirtualServer& vs, const std::string& name) {
  std::vector<Server> servers;
  for (Server& s : vs.servers) {
    char fwd = s.forward ? s.forward : vs.forward;
    int fam = s.ep.addr.family == Family::kV6 ? 6 : 4;
    if (fwd != 'i') {
      if (vs.family == 0) {
        vs.family = fam;
      } else if (vs.family != 0 && vs.family != fam) {
        Warn(s.where, fmt::format("keepalived: Address family of virtual server and real server {} "
                                  "don't match - skipping real server",
                                  s.ep.addr.ToString()));
        continue;
      }
    }
    bool dup = false;
    for (const Server& o : servers) dup = dup || o.ep == s.ep;
    if (dup) {
      Warn(s.where, fmt::format("keepalived: VS {}: real server {} is duplicated - removing second "
                                "rs",
                                name, s.ep.ToString()));
      continue;
    }
    servers.push_back(s);
  }
  return servers;
}

// vs_end_handler (check_parser.c): a sorry server that is not tunnelled
// gives a virtual server without a family its own; of another family,
// keepalived skips it.
void Interpreter::SorryFamily(VirtualServer& vs) {
  char fwd = vs.sorry.forward ? vs.sorry.forward : vs.forward;
  if (!vs.has_sorry || fwd == 'i') return;
  int fam = vs.sorry.ep.addr.family == Family::kV6 ? 6 : 4;
  if (vs.family == 0) {
    vs.family = fam;
  } else if (vs.family != fam) {
    Warn(vs.sorry.where, fmt::format("keepalived: Address family of virtual server and sorry "
                                     "server {} don't match - skipping sorry server",
                                     vs.sorry.ep.addr.ToString()));
    vs.has_sorry = false;
    vs.sorry_inhibit = false;
  }
}

// link_vsg_to_vs (ipwrapper.c): the addresses of @entries and their fwmarks
// with a family must be of the family of @vs, and a group of both families
// serves only a virtual server without one (every server tunnelled). False
// (warned) when keepalived ignores @vs; a group of one family gives @vs
// its family.
bool Interpreter::GroupFamily(VirtualServer& vs, const std::vector<GroupEntry>& entries,
                              const std::string& name) {
  bool v4 = false, v6 = false;
  for (const GroupEntry& e : entries) {
    int fam = e.fwmark ? e.fwmark_family : e.first.family == Family::kV6 ? 6 : 4;
    v4 = v4 || fam == 4;
    v6 = v6 || fam == 6;
  }
  const char* why = nullptr;
  if (v4 && v6 && vs.family != 0)
    why = "virtual server group with IPv4 & IPv6 doesn't match";
  else if ((v4 && vs.family == 6) || (v6 && vs.family == 4))
    why = "address family doesn't match";
  if (why) {
    Warn(vs.where,
         fmt::format("keepalived: {}: {} virtual server {} - ignoring", vs.group, why, name));
    return false;
  }
  if (vs.family == 0 && v4 != v6) vs.family = v4 ? 4 : 6;
  return true;
}

void Interpreter::FixPort(const VirtualServer& vs, const std::vector<GroupEntry>* entries,
                          const std::string& name, Server* s, const char* kind) {
  char fwd = s->forward ? s->forward : vs.forward ? vs.forward : 'm';
  if (vs.form == VirtualServer::kGroup) {
    if (fwd != 'm' && s->ep.port != 0 && entries) {
      for (const GroupEntry& e : *entries) {
        if (!e.fwmark && e.port != s->ep.port) {
          Warn(s->where, fmt::format("keepalived: virtual server {} and {} server {} ports don't "
                                     "match (kept: keepalived does not correct a group)",
                                     name, kind, s->ep.ToString()));
          break;
        }
      }
    }
    return;
  }
  if (fwd == 'm') {
    if (vs.form == VirtualServer::kAddr && s->ep.port == 0) s->ep.port = vs.addr.port;
    return;
  }
  if (vs.form == VirtualServer::kFwmark) {
    if (s->ep.port != 0) {
      Warn(s->where, fmt::format("keepalived: fwmark virtual server {}, {} server {} has port "
                                 "specified - clearing",
                                 name, kind, s->ep.ToString()));
      s->ep.port = 0;
    }
  } else if (s->ep.port == 0) {
    s->ep.port = vs.addr.port;
  } else if (s->ep.port != vs.addr.port) {
    Warn(s->where, fmt::format("keepalived: virtual server {} and {} server {} ports don't match - "
                               "resetting to {}",
                               name, kind, s->ep.ToString(), vs.addr.port));
    s->ep.port = vs.addr.port;
  }
}

// The kernel services of @vs, in the order keepalived adds them.
bool Interpreter::ServiceKeys(const VirtualServer& vs, const std::vector<GroupEntry>* entries,
                              Proto proto, std::vector<ServiceKey>* keys, std::string* err) {
  auto add_fwmark = [&](uint32_t mark, int fam) {
    ServiceKey k;
    k.fwmark = mark;
    k.fwmark_family = FamilyOf(fam ? fam : vs.family ? vs.family : 4);
    keys->push_back(k);
  };
  auto add_addr = [&](const IpAddr& a, uint16_t port) {
    ServiceKey k;
    k.proto = proto;
    k.vip.addr = a;
    k.vip.port = port;
    keys->push_back(k);
  };
  if (vs.form == VirtualServer::kAddr) {
    add_addr(vs.addr.addr, vs.addr.port);
  } else if (vs.form == VirtualServer::kFwmark) {
    if (vs.fwmark == 0) {
      *err = fmt::format("{}: virtual_server fwmark 0: the kernel has no such service", vs.where);
      return false;
    }
    add_fwmark(vs.fwmark, 0);
  } else {
    // ipvs_group_cmd: the address ranges first, then the fwmarks.
    for (const GroupEntry& e : *entries) {
      if (e.fwmark) continue;
      IpAddr a = e.first;
      for (int guard = 0; guard < 65536; ++guard) {
        add_addr(a, e.port);
        if (a == e.last) break;
        if (a.family == Family::kV4) {
          a = IpAddr::V4(a.v4() + 1);
        } else {
          uint16_t low = static_cast<uint16_t>((a.bytes[14] << 8 | a.bytes[15]) + 1);
          a.bytes[14] = static_cast<uint8_t>(low >> 8);
          a.bytes[15] = static_cast<uint8_t>(low);
        }
      }
    }
    for (const GroupEntry& e : *entries) {
      if (!e.fwmark) continue;
      if (e.mark == 0) {
        // As for a virtual_server fwmark 0 (a fwmark of 0 is no fwmark: the
        // kernel would make it an address service 0.0.0.0:0).
        *err = fmt::format("{}: virtual_server_group fwmark 0: the kernel has no such service",
                           e.where);
        return false;
      }
      add_fwmark(e.mark, e.fwmark_family);
    }
  }
  return true;
}

// The dests @svc holds once keepalived has started @vs: alpha checkers,
// quorum and the sorry server (@first: warn, for the first service only).
// Which real servers of @vs are up at start (*up; alpha checkers start
// failed), their weight *live and the weight *need that gains quorum.
// Returns whether quorum is up.
bool QuorumAtStart(const VirtualServer& vs, const std::vector<Server>& servers,
                   std::vector<bool>* up, int64_t* live, int64_t* need) {
  int64_t total = 0;
  *live = 0;
  up->assign(servers.size(), true);
  for (size_t i = 0; i < servers.size(); ++i) {
    const Server& s = servers[i];
    int64_t w = s.weight >= 0 ? s.weight : vs.weight;
    int rs_alpha = s.alpha >= 0 ? s.alpha : vs.alpha;
    for (int a : s.checker_alpha) (*up)[i] = (*up)[i] && !(a >= 0 ? a : rs_alpha);
    total += w;
    if ((*up)[i]) *live += w;
  }
  int64_t quorum = std::min<int64_t>(static_cast<int64_t>(vs.quorum), total);
  int64_t hysteresis = static_cast<int64_t>(vs.hysteresis);
  if (hysteresis >= quorum) hysteresis = quorum > 0 ? quorum - 1 : 0;
  *need = quorum + hysteresis;
  return *live >= *need && *live > 0;
}

// The sorry server of @vs into @svc at @weight.
bool AddSorry(const VirtualServer& vs, int32_t weight, Service* svc, std::string* err) {
  Dest d;
  d.ep = vs.sorry.ep;
  d.forward = svc->sorry_forward;
  d.weight = weight;
  int at;
  std::string e;
  if (ApplyDestEdit(svc, 'a', d, DestInsert::kHead, &at, &e)) return true;
  *err = fmt::format("{}: {}", vs.sorry.where, e);
  return false;
}

bool Interpreter::StartService(const VirtualServer& vs, const std::vector<Server>& servers,
                               const std::string& name, bool first, Service* svc,
                               std::string* err) {
  // What keepalived does at start (check_data.c, ipwrapper.c): a real
  // server with an alpha checker starts failed and is not added (with
  // inhibit_on_failure: added at weight 0); the others are added in file
  // order. Quorum is gained when the weight of those up reaches quorum +
  // hysteresis (quorum at most the total weight, hysteresis below it);
  // otherwise a sorry server replaces the live real servers.
  std::vector<bool> up;
  int64_t live = 0, need = 0;
  bool quorum_up = QuorumAtStart(vs, servers, &up, &live, &need);
  for (size_t i = 0; i < servers.size(); ++i) {
    const Server& s = servers[i];
    Dest d;
    d.ep = s.ep;
    d.forward = s.forward ? s.forward : vs.forward;
    d.weight = static_cast<int32_t>(s.weight >= 0 ? s.weight : vs.weight);
    d.u_threshold = s.u_threshold;
    d.l_threshold = s.l_threshold;
    d.inhibit_on_failure = s.inhibit >= 0 ? s.inhibit != 0 : vs.inhibit;
    if (!up[i]) {
      if (first)
        Warn(s.where, fmt::format("alpha: keepalived starts real server {} as failed and adds "
                                  "it {}only after its first successful check",
                                  s.ep.ToString(),
                                  d.inhibit_on_failure ? "(now at weight 0) at its weight " : ""));
      if (!d.inhibit_on_failure) continue;
      d.weight = 0;
    }
    int at;
    std::string e;
    // keepalived adds real servers in file order; each lands at the head.
    if (!ApplyDestEdit(svc, 'a', d, DestInsert::kHead, &at, &e)) {
      *err = fmt::format("{}: {}", s.where, e);
      return false;
    }
  }
  bool sorry_added = false;
  if (!quorum_up && vs.has_sorry) {
    if (first)
      Warn(vs.where, fmt::format("keepalived starts {} with quorum down (live weight {} < {}): "
                                 "the sorry server {} replaces the real servers",
                                 name, live, need, vs.sorry.ep.ToString()));
    // perform_quorum_state(vs, false): live real servers out (inhibited
    // ones to weight 0), then the sorry server in at weight 1.
    for (size_t i = 0; i < servers.size(); ++i) {
      if (!up[i]) continue;
      int idx = svc->Find(servers[i].ep);
      if (idx < 0) continue;
      Dest d = svc->dests[idx];
      bool inhibit = d.inhibit_on_failure;
      d.weight = 0;
      int at;
      std::string e;
      if (!ApplyDestEdit(svc, inhibit ? 'e' : 'd', d, DestInsert::kHead, &at, &e)) {
        *err = fmt::format("{}: {}", servers[i].where, e);
        return false;
      }
    }
    if (svc->Find(vs.sorry.ep) < 0 && !AddSorry(vs, 1, svc, err)) return false;
    sorry_added = true;
  }
  if (!sorry_added && vs.has_sorry && vs.sorry_inhibit && svc->Find(vs.sorry.ep) < 0)
    return AddSorry(vs, 0, svc, err);
  return true;
}

// keepalived's defaults for what @vs leaves out (protocol UDP, persistence
// for a zero port, scheduler wlc, forwarding NAT), each with its warning.
// Returns the protocol of the services with addresses.
Proto Interpreter::FillDefaults(VirtualServer& vs, const std::vector<GroupEntry>* entries,
                                const std::vector<Server>& servers, const std::string& name) {
  bool has_addr = vs.form == VirtualServer::kAddr;
  if (entries)
    for (const GroupEntry& e : *entries) has_addr = has_addr || !e.fwmark;
  if (has_addr && vs.proto == 0)
    Warn(vs.where,
         fmt::format("keepalived: Virtual server {}: no protocol set - defaulting to UDP", name));
  if (!has_addr && vs.proto != 0)
    Warn(vs.proto_where, fmt::format("keepalived: Virtual server {}: protocol specified for fwmark "
                                     "- protocol will be ignored",
                                     name));
  if (!vs.persistence) {
    bool zero = vs.form == VirtualServer::kAddr && vs.addr.port == 0;
    if (entries)
      for (const GroupEntry& e : *entries) zero = zero || (!e.fwmark && e.port == 0);
    if (zero) {
      Warn(vs.where, fmt::format("keepalived: Virtual server {}: zero port only valid for "
                                 "persistent services - setting persistence {} s",
                                 name, kKeepalivedPersistence));
      vs.persistence = kKeepalivedPersistence;
    }
  }
  if (vs.sched.empty()) {
    Warn(vs.where,
         fmt::format("keepalived: Virtual server {}: no scheduler set, setting default 'wlc'",
                     name));
    vs.sched = "wlc";
  }
  bool need_fwd = false;
  for (const Server& s : servers) need_fwd = need_fwd || !s.forward;
  if (!vs.forward && need_fwd) {
    Warn(vs.where, fmt::format("keepalived: Virtual server {}: no forwarding method set, setting "
                               "default NAT",
                               name));
    vs.forward = 'm';
  }
  return vs.proto == 6 ? Proto::kTcp : vs.proto == 132 ? Proto::kSctp : Proto::kUdp;
}

bool Interpreter::Emit(VirtualServer& vs, IpvsConfig* out, std::string* err) {
  std::string name = vs.form == VirtualServer::kGroup ? "group " + vs.group
                     : vs.form == VirtualServer::kFwmark
                         ? fmt::format("fwmark {}", vs.fwmark)
                         : fmt::format("{} {}", vs.addr.addr.ToString(), vs.addr.port);
  const std::vector<GroupEntry>* entries = nullptr;
  if (vs.form == VirtualServer::kGroup) {
    auto it = groups_.find(vs.group);
    if (it == groups_.end()) {
      Warn(vs.where, fmt::format("virtual_server group {}: no virtual_server_group {}: keepalived "
                                 "configures nothing for it",
                                 vs.group, vs.group));
      return true;
    }
    entries = &it->second;
  }
  // Address families: the real servers (not tunnelled) decide when the
  // virtual server does not (fwmark, group), then the sorry server, then
  // the group.
  std::vector<Server> servers = UsableServers(vs, name);
  if (servers.empty()) {
    Warn(vs.where,
         fmt::format("keepalived: Virtual server {} has no real servers - ignoring", name));
    return true;
  }
  SorryFamily(vs);
  if (entries && !GroupFamily(vs, *entries, name)) return true;
  Proto proto = FillDefaults(vs, entries, servers, name);
  // check_data.c: unless NAT, real and virtual servers have the same port
  // (a fwmark service: port 0); keepalived corrects that for a virtual
  // server of its own and only warns for a group. A NAT real server without
  // a port takes the service's.
  for (Server& s : servers) FixPort(vs, entries, name, &s, "real");
  if (vs.has_sorry) FixPort(vs, entries, name, &vs.sorry, "sorry");
  // A correction can make two real servers one: keepalived's duplicate
  // check ran before, so the kernel's add of the second fails (EEXIST).
  for (size_t i = 1; i < servers.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (servers[i].ep == servers[j].ep) {
        Warn(servers[i].where, fmt::format("real server {} is the same as an earlier one once its "
                                           "port is corrected: the kernel refuses the second",
                                           servers[i].ep.ToString()));
        servers.erase(servers.begin() + static_cast<long>(i--));
        break;
      }
    }
  }

  Service base;
  base.scheduler = vs.sched;
  base.flags = vs.flags;
  base.persistence = vs.persistence;
  base.netmask_bits = vs.persistence ? vs.netmask_bits : -1;
  base.has_sorry_server = vs.has_sorry;
  if (vs.has_sorry) {
    base.sorry_server = vs.sorry.ep;
    base.sorry_forward = vs.sorry.forward ? vs.sorry.forward : vs.forward ? vs.forward : 'm';
    base.sorry_inhibit = vs.sorry_inhibit;
  }
  std::vector<ServiceKey> keys;
  if (!ServiceKeys(vs, entries, proto, &keys, err)) return false;
  for (const ServiceKey& k : keys) {
    Service svc = base;
    svc.key = k;
    // A whole-address granularity is no mask, as ipvsadm -M reads it.
    if (svc.netmask_bits >= (svc.family() == Family::kV6 ? 128 : 32)) svc.netmask_bits = -1;
    if (out->Find(k) >= 0) {
      Warn(vs.where, fmt::format("service {} is configured twice; keepalived's second add fails "
                                 "(File exists): the first is kept",
                                 k.ToString()));
      continue;
    }
    if (!StartService(vs, servers, name, k == keys.front(), &svc, err)) return false;
    out->services.push_back(std::move(svc));
  }
  return true;
}

bool Interpreter::Run(const std::vector<Node>& top, IpvsConfig* out, std::string* err) {
  for (const Node& n : top) {
    const std::string& k = n.word(0);
    if (k == "virtual_server_group") {
      if (!Group(n, err)) return false;
    } else if (k == "virtual_server") {
      if (!n.has_block) {
        Warn(n.where(), "virtual_server without a block (ignored)");
        continue;
      }
      if (!Virtual(n, err)) return false;
    }
  }
  // Groups may be defined after the virtual servers that use them:
  // keepalived resolves them once everything is read.
  IpvsConfig cfg;
  for (VirtualServer& vs : vss_)
    if (!Emit(vs, &cfg, err)) return false;
  *out = std::move(cfg);
  return true;
}

}  // namespace

bool ParseKeepalivedConfigText(const std::string& text, const std::string& name,
                               const std::string& dir, const KeepalivedOptions& opts,
                               IpvsConfig* out, std::vector<std::string>* warnings,
                               std::string* err) {
  Reader reader(opts, warnings);
  if (!reader.ReadText(text, name, dir, 0, err)) return false;
  std::vector<Node> top;
  if (!BuildTree(reader.lines(), &top, err)) return false;
  Interpreter interp(warnings);
  return interp.Run(top, out, err);
}

bool ParseKeepalivedConfig(const std::string& path, const KeepalivedOptions& opts, IpvsConfig* out,
                           std::vector<std::string>* warnings, std::string* err) {
  std::string text;
  if (!ReadWholeFile(path, &text, err)) return false;
  std::string dir = std::filesystem::path(path).parent_path().string();
  return ParseKeepalivedConfigText(text, path, dir, opts, out, warnings, err);
}

namespace {

// The service of @s as ipvsadm options ("-t a:p", "-f 7 -6").
std::string CheckerKey(const Service& s) {
  std::string key = s.key.ToString();
  if (s.key.fwmark && s.key.fwmark_family == Family::kV6) key += " -6";
  return key;
}

std::string Thresholds(const Dest& d) {
  std::string t;
  if (d.u_threshold) t += fmt::format(" -x {}", d.u_threshold);
  if (d.l_threshold) t += fmt::format(" -y {}", d.l_threshold);
  return t;
}

// The real servers of @s (not the sorry server), oldest first: keepalived's
// vs->rs list (file order), the order its checkers were started in.
std::vector<const Dest*> RealServers(const Service& s) {
  std::vector<const Dest*> out;
  for (auto it = s.dests.rbegin(); it != s.dests.rend(); ++it)
    if (!(s.has_sorry_server && it->ep == s.sorry_server)) out.push_back(&*it);
  return out;
}

bool Contains(const std::vector<Endpoint>& v, const Endpoint& ep) {
  return std::find(v.begin(), v.end(), ep) != v.end();
}

// @seconds as a timeline reads it back: the shortest fixed notation that
// gives the same double ("1e-05" would not parse).
std::string TimeText(double seconds) {
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), seconds, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

// What ipvs_cmd(LVS_CMD_DEL_DEST) sends for @d: weight 0 on an inhibited
// server, a delete otherwise.
std::string DelDestLine(const std::string& at, const std::string& key, const Dest& d) {
  if (d.inhibit_on_failure)
    return fmt::format("{} -e {} -r {} -{} -w 0{}\n", at, key, d.ep.ToString(), d.forward,
                       Thresholds(d));
  return fmt::format("{} -d {} -r {}\n", at, key, d.ep.ToString());
}

// What ipvs_cmd(LVS_CMD_ADD_DEST) sends for @d back up: its weight again on
// an inhibited server (still in the list), an add otherwise.
std::string AddDestLine(const std::string& at, const std::string& key, const Dest& d) {
  return fmt::format("{} -{} {} -r {} -{} -w {}{}\n", at, d.inhibit_on_failure ? 'e' : 'a', key,
                     d.ep.ToString(), d.forward, d.weight, Thresholds(d));
}

}  // namespace

std::string KeepalivedCheckersDown(const IpvsConfig& cfg, const std::vector<Endpoint>& down,
                                   double at_seconds, std::vector<Endpoint>* unknown) {
  const std::string at = TimeText(at_seconds);
  std::string out;
  std::vector<bool> used(down.size(), false);
  auto is_down = [&](const Endpoint& ep) {
    for (size_t i = 0; i < down.size(); ++i)
      if (down[i] == ep) {
        used[i] = true;
        return true;
      }
    return false;
  };
  for (const Service& s : cfg.services) {
    std::string key = CheckerKey(s);
    std::vector<const Dest*> real = RealServers(s);
    std::vector<bool> alive(real.size(), true);
    int64_t live_weight = 0;
    bool changed = false;
    // perform_svr_state() for each failed checker, oldest first.
    for (size_t i = 0; i < real.size(); ++i) {
      const Dest& d = *real[i];
      if (!is_down(d.ep)) {
        live_weight += d.weight;
        continue;
      }
      alive[i] = false;
      changed = true;
      out += DelDestLine(at, key, d);
    }
    // update_quorum_state(): quorum (1) lost. perform_quorum_state(vs,
    // false) takes the live servers left (all at weight 0) out, then the
    // sorry server comes in.
    if (changed && live_weight < 1 && s.has_sorry_server) {
      for (size_t i = 0; i < real.size(); ++i)
        if (alive[i]) out += DelDestLine(at, key, *real[i]);
      bool present = s.Find(s.sorry_server) >= 0;
      out += fmt::format("{} -{} {} -r {} -{} -w 1\n", at, present ? 'e' : 'a', key,
                         s.sorry_server.ToString(), s.sorry_forward);
    }
  }
  for (size_t i = 0; i < down.size(); ++i)
    if (!used[i]) unknown->push_back(down[i]);
  return out;
}

std::string KeepalivedCheckersUp(const IpvsConfig& cfg, const std::vector<Endpoint>& down_before,
                                 const std::vector<Endpoint>& up, double at_seconds,
                                 std::vector<Endpoint>* unknown) {
  const std::string at = TimeText(at_seconds);
  std::string out;
  std::vector<bool> used(up.size(), false);
  auto is_up = [&](const Endpoint& ep) {
    bool found = false;
    for (size_t i = 0; i < up.size(); ++i)
      if (up[i] == ep) {
        used[i] = true;
        found = true;
      }
    return found;
  };
  for (const Service& s : cfg.services) {
    std::string key = CheckerKey(s);
    std::vector<const Dest*> real = RealServers(s);
    // The state KeepalivedCheckersDown(cfg, down_before) left.
    std::vector<bool> alive(real.size());
    int64_t weight = 0;
    for (size_t i = 0; i < real.size(); ++i) {
      alive[i] = !Contains(down_before, real[i]->ep);
      if (alive[i]) weight += real[i]->weight;
    }
    bool quorum_up = weight >= 1;
    bool sorry_in = s.has_sorry_server && !quorum_up;
    // perform_svr_state() for each recovered checker, oldest first.
    for (size_t i = 0; i < real.size(); ++i) {
      const Dest& d = *real[i];
      if (!is_up(d.ep) || alive[i]) continue;  // a live server stays as it is
      alive[i] = true;
      // "Change only if we have quorum or no sorry server".
      if (quorum_up || !sorry_in) out += AddDestLine(at, key, d);
      weight += d.weight;
      if (quorum_up || weight < 1) continue;
      // update_quorum_state(): quorum gained. The sorry server goes
      // (LVS_CMD_DEL_DEST: weight 0 with sorry_server_inhibit), then
      // perform_quorum_state(vs, true) adds every live server back.
      quorum_up = true;
      if (!sorry_in) continue;
      sorry_in = false;
      if (s.sorry_inhibit)
        out += fmt::format("{} -e {} -r {} -{} -w 0\n", at, key, s.sorry_server.ToString(),
                           s.sorry_forward);
      else
        out += fmt::format("{} -d {} -r {}\n", at, key, s.sorry_server.ToString());
      for (size_t j = 0; j < real.size(); ++j)
        if (alive[j]) out += AddDestLine(at, key, *real[j]);
    }
  }
  for (size_t i = 0; i < up.size(); ++i)
    if (!used[i]) unknown->push_back(up[i]);
  return out;
}

bool LooksLikeKeepalived(const std::string& text) {
  LineSplitter lines(text);
  std::string_view view;
  while (lines.Next(&view)) {
    bool cont;
    std::string line = Decomment(view, &cont);
    std::vector<std::string> w = Words(line);
    if (w.empty()) continue;
    const std::string& k = w[0];
    if (k == "virtual_server" || k == "virtual_server_group" || k == "global_defs" ||
        k == "include" || k.starts_with("vrrp_") || k == "static_ipaddress" ||
        k == "static_routes" || k == "local_address_group" || k == "linkbeat_use_polling")
      return true;
  }
  return false;
}

}  // namespace ipvs_sim
