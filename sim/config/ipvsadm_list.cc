// SPDX-License-Identifier: GPL-2.0
#include "ipvsadm_list.h"

#include <fmt/format.h>

#include <cctype>
#include <string_view>

#include "text_lines.h"
#include "text_parse.h"

namespace ipvs_sim {

namespace {

bool IsServiceWord(const std::string& w) {
  return w == "TCP" || w == "UDP" || w == "SCTP" || w == "FWM";
}

// The text between '(' and ')': "mh-fallback,mh-port" or "flag-1,flag-3".
bool Flags(const std::string& text, uint32_t* flags, std::string* err) {
  size_t i = 0;
  while (i <= text.size()) {
    size_t comma = text.find(',', i);
    if (comma == std::string::npos) comma = text.size();
    std::string f = text.substr(i, comma - i);
    if (f == "flag-1" || f == "mh-fallback" || f == "sh-fallback")
      *flags |= kSchedFlag1;
    else if (f == "flag-2" || f == "mh-port" || f == "sh-port")
      *flags |= kSchedFlag2;
    else if (f == "flag-3")
      *flags |= kSchedFlag3;
    else if (!f.empty()) {
      *err = fmt::format("unknown scheduler flag '{}'", f);
      return false;
    }
    i = comma + 1;
  }
  return true;
}

}  // namespace

bool LooksLikeIpvsadmList(const std::string& text) {
  LineSplitter lines(text);
  std::string_view view;
  while (lines.Next(&view)) {
    std::vector<std::string> w = SplitWordsCopy(view);
    if (w.empty()) continue;
    if (view.starts_with("IP Virtual Server version") || w[0] == "Prot") return true;
    if (w[0] == "->") return true;
    if (IsServiceWord(w[0]) && view.find("  ") != std::string_view::npos) return true;
    return false;  // the first non-blank line decides
  }
  return false;
}

namespace {

// "-> ADDR:PORT Forward Weight ActiveConn InActConn": appended to @svc, as
// the listing is head first. False with the bare *err.
bool ParseDestLine(const std::vector<std::string>& w, Service* svc, std::string* err) {
  if (w.size() < 4) {
    *err = "real server line needs 'ADDR:PORT Forward Weight ...'";
    return false;
  }
  Dest d;
  if (!Endpoint::Parse(w[1], &d.ep, false)) {
    *err = fmt::format("bad real server address '{}' (numeric, from ipvsadm -n)", w[1]);
    return false;
  }
  if (w[2] == "Masq") {
    d.forward = 'm';
  } else if (w[2] == "Route" || w[2] == "Local") {
    d.forward = 'g';
  } else if (w[2] == "Tunnel") {
    d.forward = 'i';
  } else {
    *err = fmt::format("unknown forwarding method '{}' (Masq, Route, Tunnel, Local)", w[2]);
    return false;
  }
  uint64_t weight;
  if (!ParseDecimal(w[3], 65535, &weight)) {
    *err = fmt::format("bad weight '{}'", w[3]);
    return false;
  }
  d.weight = static_cast<int32_t>(weight);
  // The kernel takes a real server of another family than its service only
  // when it is tunnelled (ip_vs_genl_set_cmd), so no listing has another.
  if (d.ep.addr.family != svc->family() && d.forward != 'i') {
    *err = fmt::format(
        "real server {} is not of the service's address family (only Tunnel allows that)", w[1]);
    return false;
  }
  int at;
  return ApplyDestEdit(svc, 'a', d, DestInsert::kTail, &at, err);
}

// "mask M" of a service line into @svc.
bool ParseMask(const std::string& m, Service* svc, std::string* err) {
  uint64_t bits;
  if (ParseDecimal(m, 128, &bits)) {
    svc->netmask_bits = static_cast<int>(bits);
  } else {
    IpAddr a;
    if (!IpAddr::Parse(m, &a) || a.family != Family::kV4) {
      *err = fmt::format("bad mask '{}'", m);
      return false;
    }
    if (!V4MaskPrefix(a.v4(), &svc->netmask_bits)) {
      *err = fmt::format("mask {} is not contiguous: not modelled", m);
      return false;
    }
  }
  if (svc->netmask_bits == 0) {
    // One template for every client: ipvsadm_config.cc refuses -M of it.
    *err = fmt::format("mask {} has no bits: not modelled", m);
    return false;
  }
  int full = svc->family() == Family::kV6 ? 128 : 32;
  if (svc->netmask_bits >= full) svc->netmask_bits = -1;
  return true;
}

// "PROTO ADDR:PORT SCHEDULER [(flags)] [persistent T] [mask M] [ops] [pe P]"
// or "FWM MARK [IPv6] SCHEDULER ...". False with the bare *err.
bool ParseServiceLine(const std::vector<std::string>& w, Service* out, std::string* err) {
  Service svc;
  size_t i = 2;
  if (w.size() < 3) {
    *err = "service line needs 'PROTO ADDR:PORT SCHEDULER'";
    return false;
  }
  if (w[0] == "FWM") {
    uint64_t mark;
    if (!ParseDecimal(w[1], 0xffffffffu, &mark) || mark == 0) {
      *err = fmt::format("bad fwmark '{}'", w[1]);
      return false;
    }
    svc.key.fwmark = static_cast<uint32_t>(mark);
    if (w[2] == "IPv6") {
      svc.key.fwmark_family = Family::kV6;
      i = 3;
    }
  } else {
    svc.key.proto = w[0] == "TCP" ? Proto::kTcp : w[0] == "UDP" ? Proto::kUdp : Proto::kSctp;
    if (!Endpoint::Parse(w[1], &svc.key.vip, false)) {
      *err = fmt::format("bad virtual service address '{}' (numeric, from ipvsadm -n)", w[1]);
      return false;
    }
  }
  if (i >= w.size()) {
    *err = "service line has no scheduler";
    return false;
  }
  // What the kernel can hold (IP_VS_SCHEDNAME_MAXLEN), named as scheduler
  // modules are, so that rules say it back ('#' would start a comment).
  bool name_ok = w[i].size() <= 15;
  for (char c : w[i])
    name_ok = name_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!name_ok) {
    *err = fmt::format("bad scheduler name '{}' (1..15 letters, digits or '_')", w[i]);
    return false;
  }
  svc.scheduler = w[i++];
  for (; i < w.size(); ++i) {
    const std::string& t = w[i];
    if (t.size() >= 2 && t.front() == '(' && t.back() == ')') {
      if (!Flags(t.substr(1, t.size() - 2), &svc.flags, err)) return false;
    } else if (t == "persistent" && i + 1 < w.size()) {
      uint64_t p;
      if (!ParseDecimal(w[++i], 2147483647, &p) || p == 0) {
        *err = fmt::format("bad timeout '{}' (1..2147483647 seconds, as ipvsadm -p)", w[i]);
        return false;
      }
      svc.persistence = static_cast<uint32_t>(p);
    } else if (t == "mask" && i + 1 < w.size()) {
      if (!ParseMask(w[++i], &svc, err)) return false;
    } else if (t == "ops") {
      // one-packet scheduling: not modelled
    } else if (t == "pe" && i + 1 < w.size()) {
      ++i;  // persistence engine: not modelled
    } else {
      *err = fmt::format("unexpected word '{}' in the service line", t);
      return false;
    }
  }
  // ipvsadm and keepalived make a port-0 service persistent: a listing of
  // one that is not was not made by them, and rules cannot say it.
  if (!svc.key.fwmark && svc.key.vip.port == 0 && !svc.persistence) {
    *err = fmt::format("zero port in '{}' is only valid for a persistent service", w[1]);
    return false;
  }
  *out = std::move(svc);
  return true;
}

// ipvsadm -Ln sorts real servers: the services whose prediction depends on
// their order may be wrong.
void WarnSorted(const IpvsConfig& cfg, const std::string& name,
                std::vector<std::string>* warnings) {
  size_t others = 0;
  for (const Service& s : cfg.services)
    if (s.scheduler != "mh" && s.scheduler != "sh" && s.dests.size() > 1) ++others;
  if (others)
    warnings->push_back(fmt::format(
        "{}: {} other service{} with more than one real server, listed sorted: mh or sh run "
        "on {} (compare, replay -s) may be predicted wrong",
        name, others, others == 1 ? "" : "s", others == 1 ? "it" : "them"));
  for (const Service& s : cfg.services) {
    if ((s.scheduler == "mh" || s.scheduler == "sh") && s.dests.size() > 1)
      warnings->push_back(fmt::format(
          "{}: {} ({}): ipvsadm -Ln sorts real servers, so their list order is unknown and "
          "{} may be predicted wrong; give ipvsadm -Ln --nosort output with "
          "--config-format list-nosort, or an ipvs-snapshot",
          name, s.key.ToString(), s.scheduler, s.scheduler));
  }
}

}  // namespace

bool ParseIpvsadmList(const std::string& text, const std::string& name, bool sorted,
                      IpvsConfig* out, std::vector<std::string>* warnings, std::string* err) {
  IpvsConfig cfg;
  LineSplitter lines(text);
  std::string_view view;
  int cur = -1;
  while (lines.Next(&view)) {
    auto fail = [&](const std::string& what) {
      *err = fmt::format("{}:{}: {}", name, lines.lineno(), what);
      return false;
    };
    std::vector<std::string> w = SplitWordsCopy(view);
    if (w.empty()) continue;
    if (view.starts_with("IP Virtual Server version")) continue;
    if (w[0] == "Prot") {
      if (w.size() >= 3 && w[2] != "Scheduler")
        return fail(
            fmt::format("a listing with '{}' columns has no weights: give plain "
                        "ipvsadm -Ln (or -Ln --nosort) output",
                        w[2]));
      continue;
    }
    std::string e;
    if (w[0] == "->") {
      if (w.size() >= 2 && w[1] == "RemoteAddress:Port") continue;
      if (cur < 0) return fail("real server before any service");
      if (!ParseDestLine(w, &cfg.services[cur], &e)) return fail(e);
      continue;
    }
    if (!IsServiceWord(w[0]))
      return fail(fmt::format("unexpected line (not ipvsadm -Ln output): '{}'", std::string(view)));
    Service svc;
    if (!ParseServiceLine(w, &svc, &e)) return fail(e);
    if (cfg.Find(svc.key) >= 0)
      return fail(fmt::format("service {} listed twice", svc.key.ToString()));
    cfg.services.push_back(std::move(svc));
    cur = static_cast<int>(cfg.services.size()) - 1;
  }
  if (sorted) WarnSorted(cfg, name, warnings);
  *out = std::move(cfg);
  return true;
}

}  // namespace ipvs_sim
