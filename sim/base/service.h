// SPDX-License-Identifier: GPL-2.0
// An IPVS virtual service and its real servers, as the kernel holds them.
#ifndef IPVS_SCHED_SIM_SERVICE_H_
#define IPVS_SCHED_SIM_SERVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "net.h"

namespace ipvs_sim {

// Scheduler flag bits of svc->flags (ipvsadm -b flag-1,flag-2,flag-3; for
// mh also mh-fallback, mh-port; for sh sh-fallback, sh-port).
constexpr uint32_t kSchedFlag1 = 0x08;
constexpr uint32_t kSchedFlag2 = 0x10;
constexpr uint32_t kSchedFlag3 = 0x20;

// A real server. The configuration part comes from ipvsadm; the runtime part
// is kept up to date by whoever replays connections (the connection table),
// because lc, wlc, sed, nq, ovf, fo, twos, lblc and lblcr read it.
struct Dest {
  Endpoint ep;
  int32_t weight = 1;
  // Last non-zero weight; as in the kernel, set on add and on any edit to a
  // non-zero weight, so draining to 0 keeps it.
  int32_t last_weight = 1;
  char forward = 'm';  // 'm' masq, 'g' gatewaying (DR), 'i' ipip
  uint32_t u_threshold = 0;
  uint32_t l_threshold = 0;
  // keepalived's inhibit_on_failure: when its checker fails, keepalived sets
  // weight 0 (-e ... -w 0) instead of removing the server (-d). Not used by
  // the kernel; kept so that a timeline can model the checker.
  bool inhibit_on_failure = false;

  // Runtime state. active + inactive is the kernel's totalconns (normal
  // entries); persistence templates are counted apart, in persist_conns,
  // and do not count towards the thresholds.
  uint32_t active_conns = 0;
  uint32_t inactive_conns = 0;
  uint32_t persist_conns = 0;
  bool overloaded = false;  // IP_VS_DEST_F_OVERLOAD
};

// The lower threshold in use: -y, or without it u - u/4 (l_threshold_val).
inline uint32_t LowerThreshold(const Dest& d) {
  return d.l_threshold ? d.l_threshold : d.u_threshold - (d.u_threshold >> 2);
}

// Recomputes d->overloaded as __ip_vs_dest_update_overload does (6.1 and
// 6.12 as Debian ships them) from the entries counted now: @mode > 0 when
// an entry was just counted and the total reached u_threshold (then set if
// at or above the lower threshold), @mode < 0 when an entry was just
// uncounted and the total fell from the lower threshold (then cleared
// unless still at or above u_threshold), 0 after a threshold edit (set at
// or above u_threshold, kept at or above the lower one, else cleared).
// Without u_threshold the flag is always clear.
void UpdateOverload(Dest* d, int mode);

// Counts one normal entry in or out of @d, updating overload at the
// crossings the kernel checks (ip_vs_bind_dest / ip_vs_unbind_dest).
void CountConnIn(Dest* d, bool active);
void CountConnOut(Dest* d, bool active);

// Identifies a virtual service: protocol + VIP:port, or a firewall mark.
struct ServiceKey {
  Proto proto = Proto::kTcp;
  Endpoint vip;
  uint32_t fwmark = 0;  // non-zero for -f services; proto/vip unused then
  Family fwmark_family = Family::kV4;

  auto operator<=>(const ServiceKey&) const = default;
  bool operator==(const ServiceKey&) const = default;
  // "-t 10.0.0.1:80", "-u [2001:db8::1]:53", "-f 7"
  std::string ToString() const;
};

struct Service {
  ServiceKey key;
  std::string scheduler = "wlc";
  uint32_t flags = 0;        // kSchedFlag* bits
  uint32_t persistence = 0;  // -p seconds, 0 when not persistent
  // -M as a prefix length (255.255.255.0 reads as 24); -1 when not given,
  // which means the whole address (32 or 128 bits).
  int netmask_bits = -1;
  // keepalived's sorry_server: added by keepalived only when every real
  // server is down (quorum lost); with sorry_server_inhibit it is in the
  // list from the start at weight 0 (then it is also in dests).
  bool has_sorry_server = false;
  Endpoint sorry_server;
  char sorry_forward = 'm';
  bool sorry_inhibit = false;
  // Real servers in the kernel's list order: the list head first, which is
  // the order the netlink dump (ipvs-snapshot's JSON, ipvsadm -Ln --nosort)
  // gives; ipvsadm -Sn and -Ln sort them. The kernel adds new dests at the
  // head, so the most recently added dest comes first.
  std::vector<Dest> dests;

  Family family() const { return key.fwmark ? key.fwmark_family : key.vip.addr.family; }
  // Index of the dest with endpoint ep, or -1.
  int Find(const Endpoint& ep) const;
};

// Where ApplyDestEdit puts an added dest: kHead is what the kernel does
// (ip_vs_add_dest: list_add_rcu); kTail builds a list from a listing that
// is already in list order (ipvsadm -Ln --nosort, head first).
enum class DestInsert { kHead, kTail };

// Applies one real-server command of ipvsadm to @svc, as the kernel does:
//   'a' (ip_vs_add_dest): @dest goes in at @pos with last_weight = weight and
//       no runtime state; fails if its endpoint is already there.
//   'e' (ip_vs_edit_dest): weight, thresholds and forwarding of the dest with
//       @dest's endpoint change; last_weight follows a non-zero weight only
//       (a drain to 0 keeps it); when a threshold changes, overload is
//       recomputed (UpdateOverload mode 0, __ip_vs_update_dest);
//       connection counters are kept.
//   'd' (ip_vs_del_dest): the dest with @dest's endpoint is removed.
// *index receives the dest's index: where it was added, edited or was
// before removal. On failure returns false with *err = "duplicate real
// server ..." / "unknown real server ..." and leaves @svc unchanged.
// The configuration loaders and the director's timeline both call this.
bool ApplyDestEdit(Service* svc, char cmd, const Dest& dest, DestInsert pos, int* index,
                   std::string* err);

// ipvsadm -E: scheduler, flags, persistence and netmask of @edit replace
// those of @svc; the dests stay.
void ApplyServiceEdit(Service* svc, const Service& edit);

}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SERVICE_H_
