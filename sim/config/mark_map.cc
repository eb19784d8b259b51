// SPDX-License-Identifier: GPL-2.0
#include "mark_map.h"

#include <fmt/format.h>

#include "text_lines.h"
#include "text_parse.h"

namespace ipvs_sim {

namespace {

// The two big-endian 64-bit halves of @a's bytes.
void Halves(const IpAddr& a, uint64_t* hi, uint64_t* lo) {
  uint64_t h = 0;
  uint64_t l = 0;
  for (int i = 0; i < 8; ++i) {
    h = (h << 8) | a.bytes[i];
    l = (l << 8) | a.bytes[8 + i];
  }
  *hi = h;
  *lo = l;
}

// The masks of a @len-bit prefix over the two halves.
void PrefixMasks(int len, uint64_t* hi, uint64_t* lo) {
  auto ones = [](int n) -> uint64_t {
    if (n <= 0) return 0;
    if (n >= 64) return ~uint64_t{0};
    return ~uint64_t{0} << (64 - n);
  };
  *hi = ones(len);
  *lo = ones(len - 64);
}

bool ParseMark(std::string_view s, uint32_t* out, std::string* why) {
  uint32_t v;
  bool ok = s.starts_with("0x") || s.starts_with("0X")
                ? ParseHex(s.substr(2), uint32_t{0xffffffff}, &v)
                : ParseDecimal(s, uint32_t{0xffffffff}, &v);
  if (!ok) {
    *why = fmt::format("bad mark '{}' (decimal or 0x hex, 1..0xffffffff)", s);
    return false;
  }
  if (v == 0) {
    *why = "mark 0 is no mark (a fwmark service needs a non-zero mark)";
    return false;
  }
  *out = v;
  return true;
}

// "addr" or "addr/len" -> *addr, *len (the full length without "/len").
bool ParsePrefix(std::string_view s, IpAddr* addr, int* len, std::string* why) {
  std::string_view a = s;
  std::string_view l;
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    a = s.substr(0, slash);
    l = s.substr(slash + 1);
  }
  if (!IpAddr::Parse(a, addr)) {
    *why = fmt::format("bad address '{}'", a);
    return false;
  }
  uint32_t max = addr->family == Family::kV6 ? 128 : 32;
  uint32_t v = max;
  if (slash != std::string_view::npos && !ParseDecimal(l, max, &v)) {
    *why = fmt::format("bad prefix length '{}' (0..{})", l, max);
    return false;
  }
  *len = static_cast<int>(v);
  return true;
}

}  // namespace

namespace {

// DEST[:PORTS]: "[v6[/len]]:PORTS", "[v6[/len]]", bare v6[/len], or
// v4[/len][:PORTS]. *ports is empty and *has_ports false without ports.
bool SplitDest(std::string_view dest, std::string_view* addr, std::string_view* ports,
               bool* has_ports, std::string* why) {
  *addr = dest;
  *ports = {};
  *has_ports = false;
  if (dest.starts_with('[')) {
    size_t close = dest.find(']');
    if (close == std::string_view::npos) {
      *why = fmt::format("missing ']' in '{}'", dest);
      return false;
    }
    *addr = dest.substr(1, close - 1);
    std::string_view after = dest.substr(close + 1);
    if (after.empty()) return true;
    if (after.front() != ':') {
      *why = fmt::format("expected ':PORTS' after ']' in '{}'", dest);
      return false;
    }
    *ports = after.substr(1);
    *has_ports = true;
    return true;
  }
  size_t colon = dest.find(':');
  if (colon != std::string_view::npos && dest.find(':', colon + 1) == std::string_view::npos) {
    *addr = dest.substr(0, colon);
    *ports = dest.substr(colon + 1);
    *has_ports = true;
  }
  return true;
}

// One item of a port list: "PORT" or "LO-HI" with LO <= HI.
bool ParsePortItem(std::string_view item, uint16_t* lo, uint16_t* hi, std::string* why) {
  size_t dash = item.find('-');
  bool ok;
  if (dash == std::string_view::npos) {
    ok = ParsePort(item, lo);
    *hi = *lo;
  } else {
    ok = ParsePort(item.substr(0, dash), lo) && ParsePort(item.substr(dash + 1), hi);
  }
  if (!ok) {
    *why = fmt::format("bad port '{}' (0..65535, or LO-HI)", item);
    return false;
  }
  if (*lo > *hi) {
    *why = fmt::format("port range '{}' is reversed (LO-HI with LO <= HI)", item);
    return false;
  }
  return true;
}

}  // namespace

bool MarkMap::ParseDest(std::string_view dest, Rule* r, std::vector<PortRange>* ports,
                        std::string* why) {
  std::string_view addr_text, port_text;
  bool has_ports;
  if (!SplitDest(dest, &addr_text, &port_text, &has_ports, why)) return false;
  IpAddr addr;
  int len;
  if (!ParsePrefix(addr_text, &addr, &len, why)) return false;
  if (dest.starts_with('[') && addr.family != Family::kV6) {
    *why = fmt::format("brackets are for IPv6 addresses: '{}'", dest);
    return false;
  }
  r->family = addr.family;
  Halves(addr, &r->addr_hi, &r->addr_lo);
  PrefixMasks(len, &r->mask_hi, &r->mask_lo);
  r->addr_hi &= r->mask_hi;
  r->addr_lo &= r->mask_lo;

  r->ports_begin = static_cast<uint32_t>(ports->size());
  if (has_ports && port_text.empty()) {
    *why = fmt::format("missing ports after ':' in '{}'", dest);
    return false;
  }
  for (size_t pos = 0; has_ports;) {
    size_t comma = port_text.find(',', pos);
    std::string_view item = port_text.substr(
        pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    PortRange pr{0, 0};
    if (!ParsePortItem(item, &pr.lo, &pr.hi, why)) return false;
    ports->push_back(pr);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  r->ports_end = static_cast<uint32_t>(ports->size());
  return true;
}

bool MarkMap::ParseRule(const std::vector<std::string_view>& words, Rule* r,
                        std::vector<PortRange>* ports, std::string* why) {
  if (words.size() < 3) {
    *why = "expected MARK PROTO DEST[:PORTS]";
    return false;
  }
  if (words.size() > 3) {
    *why = fmt::format("unexpected '{}' after the destination", words[3]);
    return false;
  }
  if (!ParseMark(words[0], &r->mark, why)) return false;
  if (words[1] != "any") {
    Proto p;
    if (!ParseProto(words[1], &p)) {
      *why = fmt::format("bad protocol '{}' (tcp, udp, sctp or any)", words[1]);
      return false;
    }
    r->proto = static_cast<uint8_t>(p);
  }
  return ParseDest(words[2], r, ports, why);
}

bool MarkMap::Parse(std::string_view text, const std::string& name, std::string* err) {
  std::vector<Rule> rules;
  std::vector<PortRange> ports;
  LineSplitter lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string_view> words = SplitWords(line);
    if (words.empty()) continue;
    Rule r;
    std::string why;
    if (!ParseRule(words, &r, &ports, &why)) {
      *err = fmt::format("{}:{}: {}", name, lines.lineno(), why);
      return false;
    }
    rules.push_back(r);
  }
  rules_ = std::move(rules);
  ports_ = std::move(ports);
  return true;
}

bool MarkMap::Load(const std::string& path, std::string* err) {
  std::string text;
  if (!ReadWholeFile(path, &text, err)) return false;
  return Parse(text, path, err);
}

uint32_t MarkMap::MarkOf(const FlowKey& key) const {
  if (rules_.empty()) return 0;
  uint64_t hi;
  uint64_t lo;
  Halves(key.vip.addr, &hi, &lo);
  uint8_t proto = static_cast<uint8_t>(key.proto);
  uint16_t port = key.vip.port;
  for (size_t i = rules_.size(); i-- > 0;) {
    const Rule& r = rules_[i];
    if (r.family != key.vip.addr.family) continue;
    if (r.proto != 0 && r.proto != proto) continue;
    if (((hi ^ r.addr_hi) & r.mask_hi) != 0 || ((lo ^ r.addr_lo) & r.mask_lo) != 0) continue;
    if (r.ports_begin != r.ports_end) {
      bool in = false;
      for (uint32_t p = r.ports_begin; p < r.ports_end; ++p) {
        if (port >= ports_[p].lo && port <= ports_[p].hi) {
          in = true;
          break;
        }
      }
      if (!in) continue;
    }
    return r.mark;
  }
  return 0;
}

}  // namespace ipvs_sim
