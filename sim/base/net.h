// SPDX-License-Identifier: GPL-2.0
// Addresses, endpoints and flow keys as the simulator sees them.
#ifndef IPVS_SCHED_SIM_NET_H_
#define IPVS_SCHED_SIM_NET_H_

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ipvs_sim {

enum class Family : uint8_t { kV4 = 4, kV6 = 6 };

// An IPv4 or IPv6 address. bytes are in network order; an IPv4 address uses
// bytes[0..3] and leaves the rest zero, so comparisons and hashing are exact.
struct IpAddr {
  Family family = Family::kV4;
  std::array<uint8_t, 16> bytes{};

  static IpAddr V4(uint32_t host_order);
  // Parses dotted quad or RFC 4291 text (no brackets). False on bad input.
  static bool Parse(std::string_view text, IpAddr* out);
  // Canonical text: dotted quad, or RFC 5952 compressed IPv6.
  std::string ToString() const;
  // Host-order value of an IPv4 address.
  uint32_t v4() const;
  size_t size() const { return family == Family::kV6 ? 16 : 4; }

  auto operator<=>(const IpAddr&) const = default;
  bool operator==(const IpAddr&) const = default;
};

// Address and port (host order).
struct Endpoint {
  IpAddr addr;
  uint16_t port = 0;

  // "a.b.c.d:port" or "[v6]:port". The port is required unless
  // port_optional, in which case a missing port reads as 0.
  static bool Parse(std::string_view text, Endpoint* out, bool port_optional = false);
  std::string ToString() const;

  auto operator<=>(const Endpoint&) const = default;
  bool operator==(const Endpoint&) const = default;
};

enum class Proto : uint8_t { kTcp = 6, kUdp = 17, kSctp = 132 };

// "tcp", "udp", "sctp" (any case). False on anything else.
bool ParseProto(std::string_view text, Proto* out);

// The prefix length of the IPv4 netmask @mask (host byte order): true with
// *bits = its leading ones (0..32) when the ones are contiguous; false,
// *bits untouched, otherwise (255.0.255.0).
bool V4MaskPrefix(uint32_t mask, int* bits);
const char* ProtoName(Proto p);

// What identifies a connection to the scheduler and the connection table.
struct FlowKey {
  Proto proto = Proto::kTcp;
  Endpoint client;
  Endpoint vip;

  auto operator<=>(const FlowKey&) const = default;
  bool operator==(const FlowKey&) const = default;
};

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_NET_H_
