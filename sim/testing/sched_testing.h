// SPDX-License-Identifier: GPL-2.0
// Helpers for the scheduler tests: services built by hand and driven through
// the same callbacks the kernel makes.
#ifndef IPVS_SCHED_SIM_SCHED_TESTING_H_
#define IPVS_SCHED_SIM_SCHED_TESTING_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net.h"
#include "scheduler.h"
#include "service.h"

namespace ipvs_sim {
namespace sched_testing {

inline Endpoint Ep(const std::string& text) {
  Endpoint e;
  EXPECT_TRUE(Endpoint::Parse(text, &e, true)) << text;
  return e;
}

inline Dest D(const std::string& ep, int weight = 1) {
  Dest d;
  d.ep = Ep(ep);
  d.weight = weight;
  d.last_weight = weight;
  return d;
}

// A TCP service on @vip with @dests already in kernel list order.
inline Service Svc(const std::vector<Dest>& dests, const std::string& vip = "10.0.0.1:80",
                   uint32_t flags = 0) {
  Service s;
  s.key.vip = Ep(vip);
  s.flags = flags;
  s.dests = dests;
  return s;
}

inline FlowKey Flow(const std::string& client, const std::string& vip = "10.0.0.1:80",
                    Proto proto = Proto::kTcp) {
  FlowKey f;
  f.proto = proto;
  f.client = Ep(client);
  f.vip = Ep(vip);
  return f;
}

// IPv4 client number i (10.1.x.y) on port @port.
inline FlowKey ClientV4(uint32_t i, uint16_t port = 40000, const std::string& vip = "10.0.0.1:80") {
  FlowKey f;
  f.client.addr = IpAddr::V4(0x0a010000u + i);
  f.client.port = port;
  f.vip = Ep(vip);
  return f;
}

inline std::string EpOf(const Service& svc, int i) {
  return i < 0 ? std::string("none") : svc.dests[i].ep.ToString();
}

inline void Init(Scheduler* s, const Service& svc) {
  std::string err;
  ASSERT_TRUE(s->Update(svc, SchedEvent::kInit, nullptr, &err)) << err;
}

// ipvsadm -a: the kernel puts a new dest at the head of the list.
inline bool AddDest(Scheduler* s, Service* svc, const Dest& d, std::string* err) {
  svc->dests.insert(svc->dests.begin(), d);
  return s->Update(*svc, SchedEvent::kAddDest, &svc->dests[0], err);
}

// ipvsadm -d.
inline bool DelDest(Scheduler* s, Service* svc, const std::string& ep, std::string* err) {
  int i = svc->Find(Ep(ep));
  EXPECT_GE(i, 0) << ep;
  Dest gone = svc->dests[i];
  svc->dests.erase(svc->dests.begin() + i);
  return s->Update(*svc, SchedEvent::kDelDest, &gone, err);
}

// ipvsadm -e with a new weight (last_weight follows unless it is 0).
inline bool SetWeight(Scheduler* s, Service* svc, const std::string& ep, int weight,
                      std::string* err) {
  int i = svc->Find(Ep(ep));
  EXPECT_GE(i, 0) << ep;
  svc->dests[i].weight = weight;
  if (weight != 0) svc->dests[i].last_weight = weight;
  return s->Update(*svc, SchedEvent::kUpdDest, &svc->dests[i], err);
}

}  // namespace sched_testing
}  // namespace ipvs_sim

#endif  // IPVS_SCHED_SIM_SCHED_TESTING_H_
