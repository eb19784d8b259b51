// SPDX-License-Identifier: GPL-2.0
#include "sched_lblc.h"

#include "sched_conn.h"

namespace ipvs_sim {

namespace {

// The cache key: the destination address as the service's family sees it.
IpAddr CacheKey(const Service& svc, const FlowKey& flow) {
  IpAddr a = flow.vip.addr;
  a.family = svc.family();
  return a;
}

}  // namespace

bool LblcOverloaded(const Service& svc, int i) {
  const Dest& d = svc.dests[i];
  if (int64_t{d.active_conns} <= d.weight) return false;
  for (const Dest& other : svc.dests)
    if (int64_t{other.active_conns} * 2 < other.weight) return true;
  return false;
}

bool LblcScheduler::Update(const Service& /*svc*/, SchedEvent event, const Dest* /*dest*/,
                           std::string* /*err*/) {
  // Binding the scheduler creates an empty table; dest callbacks are none
  // of lblc's business (entries of removed dests just stop matching).
  if (event == SchedEvent::kInit) cache_.clear();
  return true;
}

int LblcScheduler::Schedule(const Service& svc, const FlowKey& flow) {
  IpAddr key = CacheKey(svc, flow);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    int i = ResolveDest(svc, it->second);
    // Note: the kernel does not look at IP_VS_DEST_F_OVERLOAD here.
    if (i >= 0 && svc.dests[i].weight > 0 && !LblcOverloaded(svc, i)) {
      it->second.hint = i;
      return i;
    }
  }
  int i = LeastWeightedLoad(svc, &ConnOverhead);
  if (i < 0) return -1;
  cache_[key] = DestRef{svc.dests[i].ep, i};  // ip_vs_lblc_new(): replace
  return i;
}

bool LblcrScheduler::Update(const Service& /*svc*/, SchedEvent event, const Dest* /*dest*/,
                            std::string* /*err*/) {
  if (event == SchedEvent::kInit) cache_.clear();
  return true;
}

std::vector<Endpoint> LblcrScheduler::SetOf(const IpAddr& addr) const {
  std::vector<Endpoint> out;
  for (auto& [a, set] : cache_)
    if (a.bytes == addr.bytes)
      for (const DestRef& r : set) out.push_back(r.ep);
  return out;
}

int LblcrScheduler::Schedule(const Service& svc, const FlowKey& flow) {
  IpAddr key = CacheKey(svc, flow);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    int i = LeastWeightedLoad(svc, &ConnOverhead);
    if (i < 0) return -1;
    cache_[key].push_back(DestRef{svc.dests[i].ep, i});
    return i;
  }
  std::vector<DestRef>& set = it->second;

  // ip_vs_dest_set_min(): members still in the service, newest first; the
  // seed must have weight > 0 and not be overloaded.
  int least = -1;
  int64_t loh = 0;
  size_t k = 0;
  for (; k < set.size(); ++k) {
    int i = ResolveDest(svc, set[k]);
    if (i < 0) continue;
    set[k].hint = i;
    const Dest& d = svc.dests[i];
    if (!d.overloaded && d.weight > 0) {
      least = i;
      loh = ConnOverhead(d);
      break;
    }
  }
  for (++k; least >= 0 && k < set.size(); ++k) {
    int i = ResolveDest(svc, set[k]);
    if (i < 0) continue;
    set[k].hint = i;
    const Dest& d = svc.dests[i];
    if (d.overloaded) continue;
    int64_t doh = ConnOverhead(d);
    if (loh * d.weight > doh * svc.dests[least].weight) {
      least = i;
      loh = doh;
    }
  }
  if (least >= 0 && !LblcOverloaded(svc, least)) return least;

  int i = LeastWeightedLoad(svc, &ConnOverhead);
  if (i < 0) return -1;
  bool member = false;
  for (const DestRef& r : set) member = member || r.ep == svc.dests[i].ep;
  if (!member) set.insert(set.begin(), DestRef{svc.dests[i].ep, i});
  return i;
}

}  // namespace ipvs_sim
