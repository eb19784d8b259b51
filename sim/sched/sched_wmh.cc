// SPDX-License-Identifier: GPL-2.0
#include "sched_wmh.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

namespace ipvs_sim {

namespace {

static_assert(kSchedFlag1 == WMH_SVC_F_OVERFLOW && kSchedFlag2 == WMH_SVC_F_PORT,
              "the simulator's flag bits are the module's");

int WmhFamily(Family f) { return f == Family::kV6 ? WMH_AF_INET6 : WMH_AF_INET; }

struct LookupCtx {
  const Service* svc;
  const std::vector<DestRef>* refs;
  const std::vector<int>* current;  // nullptr: resolve by endpoint
};

int CtxDest(const LookupCtx& c, u32 index) {
  return c.current ? (*c.current)[index] : ResolveDest(*c.svc, (*c.refs)[index]);
}

}  // namespace

WmhScheduler::WmhScheduler(const SchedulerOptions& opts, TableKind kind)
    : opts_(opts), kind_(kind) {}

WmhScheduler::~WmhScheduler() {
  if (has_table_) wmh_table_free(&table_);
}

bool WmhScheduler::Update(const Service& svc, SchedEvent event, const Dest* /*dest*/,
                          std::string* err) {
  std::vector<wmh_dest_spec> spec(svc.dests.size());
  for (size_t i = 0; i < svc.dests.size(); ++i) {
    const Dest& d = svc.dests[i];
    wmh_dest_spec_init(&spec[i], WmhFamily(d.ep.addr.family), d.ep.addr.bytes.data(),
                       htons(d.ep.port), d.last_weight);
  }
  wmh_table fresh{};
  int ret = BuildTable(spec, event == SchedEvent::kInit, &fresh);
  if (ret != 0) {
    MapToService(svc);
    *err = fmt::format("{}: {}: table rebuild failed ({}), {}", name(), svc.key.ToString(), ret,
                       has_table_ ? "previous table kept" : "no table");
    return false;
  }
  if (has_table_) wmh_table_free(&table_);
  table_ = fresh;
  has_table_ = true;
  specs_ = std::move(spec);
  refs_ = SnapshotDests(svc);
  MapToService(svc);
  return true;
}

int WmhScheduler::BuildTable(const std::vector<wmh_dest_spec>& spec, bool first,
                             wmh_table* fresh) const {
  u32 n = static_cast<u32>(spec.size());
  if (kind_ == TableKind::kWmh)
    return wmh_table_build(fresh, opts_.wmh_table_size, &opts_.wmh_key, spec.data(), n);
  if (has_table_ && !first) return hrw_table_rebuild(fresh, &table_, specs_.data(), spec.data(), n);
  return hrw_table_build(fresh, opts_.wmh_table_size, &opts_.wmh_key, spec.data(), n);
}

void WmhScheduler::MapToService(const Service& svc) {
  current_.resize(refs_.size());
  for (size_t i = 0; i < refs_.size(); ++i) current_[i] = ResolveDest(svc, refs_[i]);
  mapped_size_ = svc.dests.size();
}

wmh_dest_state WmhScheduler::DestState(const void* ctx, u32 index) {
  const LookupCtx* c = static_cast<const LookupCtx*>(ctx);
  int i = CtxDest(*c, index);
  if (i < 0) return wmh_dest_state_of(0, false, false);  // removed from the service
  const Dest& d = c->svc->dests[i];
  return wmh_dest_state_of(d.weight, true, d.overloaded);
}

int WmhScheduler::Schedule(const Service& svc, const FlowKey& flow) {
  if (!has_table_) return -1;
  // Flags are read on every packet, as ipvsadm -E changes them silently;
  // the rules for them are the core's, as in the module.
  bool with_port = wmh_hash_port(svc.flags, opts_.wmh_port_hash, static_cast<uint8_t>(flow.proto));
  uint16_t port_be = with_port ? htons(flow.client.port) : 0;
  u8 msg[WMH_FLOW_MSG_MAX];
  u32 len =
      wmh_flow_msg(msg, WmhFamily(svc.family()), flow.client.addr.bytes.data(), with_port, port_be);
  LookupCtx ctx{&svc, &refs_, svc.dests.size() == mapped_size_ ? &current_ : nullptr};
  u32 idx = wmh_lookup(&table_, msg, len, &WmhScheduler::DestState, &ctx,
                       wmh_overflow(svc.flags, opts_.wmh_overflow));
  if (idx == WMH_NO_DEST) return -1;
  return CtxDest(ctx, idx);
}

}  // namespace ipvs_sim
