// SPDX-License-Identifier: GPL-2.0
#include "net.h"

#include <arpa/inet.h>

#include <cstring>

#include "text_parse.h"

namespace ipvs_sim {

IpAddr IpAddr::V4(uint32_t host_order) {
  IpAddr a;
  a.family = Family::kV4;
  uint32_t n = htonl(host_order);
  std::memcpy(a.bytes.data(), &n, 4);
  return a;
}

bool IpAddr::Parse(std::string_view text, IpAddr* out) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddr a;
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return false;
    a.family = Family::kV4;
  } else {
    if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return false;
    a.family = Family::kV6;
  }
  *out = a;
  return true;
}

std::string IpAddr::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(family == Family::kV6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf));
  return buf;
}

uint32_t IpAddr::v4() const {
  uint32_t n;
  std::memcpy(&n, bytes.data(), 4);
  return ntohl(n);
}

bool Endpoint::Parse(std::string_view text, Endpoint* out, bool port_optional) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      // Bare IPv6 without brackets: no port possible.
      host = text;
    } else if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (port.empty()) return false;
    } else {
      host = text;
    }
  }
  Endpoint e;
  if (!IpAddr::Parse(host, &e.addr)) return false;
  if (port.empty()) {
    if (!port_optional) return false;
  } else {
    if (!ParsePort(port, &e.port)) return false;
  }
  *out = e;
  return true;
}

std::string Endpoint::ToString() const {
  // Appends rather than operator+: GCC 12 -O3 warns falsely (-Wrestrict) on
  // "[" + std::string.
  std::string out;
  out.reserve(INET6_ADDRSTRLEN + 8);
  if (addr.family == Family::kV6) out.push_back('[');
  out.append(addr.ToString());
  if (addr.family == Family::kV6) out.push_back(']');
  out.push_back(':');
  out.append(std::to_string(port));
  return out;
}

bool ParseProto(std::string_view text, Proto* out) {
  std::string s(text);
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (s == "tcp") {
    *out = Proto::kTcp;
  } else if (s == "udp") {
    *out = Proto::kUdp;
  } else if (s == "sctp") {
    *out = Proto::kSctp;
  } else {
    return false;
  }
  return true;
}

const char* ProtoName(Proto p) {
  switch (p) {
    case Proto::kTcp:
      return "tcp";
    case Proto::kUdp:
      return "udp";
    case Proto::kSctp:
      return "sctp";
  }
  return "?";
}

size_t FlowKeyHash::operator()(const FlowKey& k) const {
  // FNV-1a over the fields: good enough for a hash map, not for scheduling.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  };
  uint8_t proto = static_cast<uint8_t>(k.proto);
  mix(&proto, 1);
  mix(k.client.addr.bytes.data(), 16);
  mix(reinterpret_cast<const uint8_t*>(&k.client.port), 2);
  mix(k.vip.addr.bytes.data(), 16);
  mix(reinterpret_cast<const uint8_t*>(&k.vip.port), 2);
  return h;
}

bool V4MaskPrefix(uint32_t mask, int* bits) {
  int n = 0;
  while (n < 32 && (mask & (0x80000000u >> n))) ++n;
  if (n < 32 && (mask << n) != 0) return false;
  *bits = n;
  return true;
}

}  // namespace ipvs_sim
