// SPDX-License-Identifier: GPL-2.0
#include "vip.h"

#include <fmt/format.h>

#include <algorithm>

namespace ipvs_capture {

using ipvs_sim::Endpoint;
using ipvs_sim::IpAddr;
using ipvs_sim::Proto;
using ipvs_sim::TraceVip;

void AddVip(const TraceVip& v, std::vector<TraceVip>* out) {
  for (const TraceVip& o : *out) {
    if (o.proto == v.proto && o.ep == v.ep) return;
  }
  out->push_back(v);
}

bool ParseVip(const std::string& text, std::vector<TraceVip>* out, std::string* err) {
  std::string rest = text;
  std::vector<Proto> protos = {Proto::kTcp, Proto::kUdp};
  size_t colon = rest.find(':');
  if (colon != std::string::npos) {
    Proto p;
    if (ipvs_sim::ParseProto(rest.substr(0, colon), &p)) {
      protos = {p};
      rest = rest.substr(colon + 1);
    }
  }
  Endpoint ep;
  IpAddr addr;
  // An unbracketed address with several colons is IPv6 without a port.
  if (rest.find('[') == std::string::npos && std::count(rest.begin(), rest.end(), ':') > 1 &&
      IpAddr::Parse(rest, &addr)) {
    ep.addr = addr;
  } else if (!Endpoint::Parse(rest, &ep, true)) {
    *err = fmt::format(
        "--vip '{}': expected [tcp:|udp:|sctp:]ADDR[:PORT], IPv6 in brackets before a port", text);
    return false;
  }
  for (Proto p : protos) AddVip(TraceVip{p, ep}, out);
  return true;
}

void VipsFromConfig(const ipvs_sim::IpvsConfig& config, std::vector<TraceVip>* out,
                    std::vector<std::string>* warnings) {
  for (const ipvs_sim::Service& s : config.services) {
    if (s.key.fwmark) {
      warnings->push_back(fmt::format(
          "fwmark service {} has no address to filter on; give its VIPs with --vip", s.key.fwmark));
      continue;
    }
    AddVip(TraceVip{s.key.proto, s.key.vip}, out);
  }
}

std::string VipName(const TraceVip& v) {
  std::string ep = v.ep.port ? v.ep.ToString()
                   : v.ep.addr.family == ipvs_sim::Family::kV6
                       ? fmt::format("[{}]:*", v.ep.addr.ToString())
                       : fmt::format("{}:*", v.ep.addr.ToString());
  return fmt::format("{} {}", ipvs_sim::ProtoName(v.proto), ep);
}

std::string VipArg(const TraceVip& v) {
  return fmt::format("{}:{}", ipvs_sim::ProtoName(v.proto), v.ep.ToString());
}

}  // namespace ipvs_capture
