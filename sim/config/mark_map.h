// SPDX-License-Identifier: GPL-2.0
// Firewall marks for fwmark services (ipvsadm -f MARK), written the way an
// operator reads their iptables or nftables rules, one rule per line
// (Documentation/config-format.rst, "Firewall marks"):
//
//   # MARK PROTO DEST[:PORTS]
//   7    tcp  10.0.0.1:80,443
//   7    udp  10.0.0.1:53
//   8    tcp  [2001:db8::1]:8000-8100
//   9    any  10.0.1.0/24
//   0x10 tcp  10.0.2.1            # all ports
//
// MARK is decimal or 0x hex, 1..0xffffffff (a mark/mask pair is not
// supported). PROTO is tcp, udp, sctp or any. DEST is an IPv4 or IPv6
// address or prefix (a.b.c.d/len, v6/len; host bits under the prefix are
// ignored, as iptables -d does); an IPv6 DEST with ports is in brackets
// ("[2001:db8::/32]:443"), a bare IPv6 DEST has no ports. PORTS is a comma
// list of destination ports and LO-HI ranges (LO <= HI); with "any" they
// match the destination port of any protocol, as nft's "th dport". '#'
// starts a comment anywhere; blank lines are skipped.
//
// The rules act as iptables' "-j MARK --set-mark" (not terminating) and
// nft's "meta mark set": every rule is evaluated in order, so the LAST rule
// that matches a flow's first packet decides its mark; a flow no rule
// matches has mark 0 (no fwmark service). Rules match the packet's
// destination (FlowKey::vip) and protocol only.
#ifndef IPVS_SCHED_SIM_MARK_MAP_H_
#define IPVS_SCHED_SIM_MARK_MAP_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net.h"

namespace ipvs_sim {

// Not thread-safe to Parse/Load; MarkOf may be called from many threads at
// once on a map that no longer changes.
class MarkMap {
 public:
  // Parses @text (named @name in messages): on success replaces the rules
  // and returns true; otherwise returns false with *err = "name:line: ..."
  // and leaves the rules as they were.
  bool Parse(std::string_view text, const std::string& name, std::string* err);
  // Reads the file @path and calls Parse(text, path, err); "path: cannot
  // open" when it cannot be read.
  bool Load(const std::string& path, std::string* err);

  // The mark the rules give the first packet of @key (0 if none): a linear
  // scan from the last rule back, stopping at the first match.
  uint32_t MarkOf(const FlowKey& key) const;

  bool empty() const { return rules_.empty(); }
  size_t size() const { return rules_.size(); }

 private:
  struct PortRange {
    uint16_t lo;
    uint16_t hi;
  };
  struct Rule {
    // The address as two big-endian halves (IPv4 in the top 32 bits of
    // hi), pre-masked; a packet matches when (its halves ^ these) & mask
    // is zero in both.
    uint64_t addr_hi = 0;
    uint64_t addr_lo = 0;
    uint64_t mask_hi = 0;
    uint64_t mask_lo = 0;
    uint32_t mark = 0;
    uint32_t ports_begin = 0;  // [ports_begin, ports_end) of ports_;
    uint32_t ports_end = 0;    // empty: every port
    Family family = Family::kV4;
    uint8_t proto = 0;  // a Proto value, 0 for any
  };

  // One line's words into *r, its ports appended to *ports; false with
  // *why (no file:line) on an error.
  static bool ParseRule(const std::vector<std::string_view>& words, Rule* r,
                        std::vector<PortRange>* ports, std::string* why);
  static bool ParseDest(std::string_view dest, Rule* r, std::vector<PortRange>* ports,
                        std::string* why);

  std::vector<Rule> rules_;
  std::vector<PortRange> ports_;
};

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_MARK_MAP_H_
