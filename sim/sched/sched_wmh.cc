// SPDX-License-Identifier: GPL-2.0
#include "sched_wmh.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace ipvs_sim {

namespace {

static_assert(kSchedFlag1 == WMH_SVC_F_OVERFLOW && kSchedFlag2 == WMH_SVC_F_PORT,
              "the simulator's flag bits are the module's");

int WmhFamily(Family f) { return f == Family::kV6 ? WMH_AF_INET6 : WMH_AF_INET; }

struct LookupCtx {
  const Service* svc;
  const std::vector<DestRef>* refs;
  const std::vector<int>* current;  // nullptr: resolve by endpoint
  chbl_load load{};                 // kChbl
  u32 eps = 0;                      // kChbl
};

int CtxDest(const LookupCtx& c, u32 index) {
  return c.current ? (*c.current)[index] : ResolveDest(*c.svc, (*c.refs)[index]);
}

// The module's wmh_dest_base(): weight, presence, threshold overload.
wmh_dest_state BaseState(const LookupCtx& c, int i) {
  if (i < 0) return wmh_dest_state_of(0, false, false);  // removed from the service
  const Dest& d = c.svc->dests[i];
  return wmh_dest_state_of(d.weight, true, d.overloaded);
}

// The kernel's totalconns: normal entries, active and inactive.
u64 DestConns(const Dest& d) { return static_cast<u64>(d.active_conns) + d.inactive_conns; }

wmh_dest_state ChblDestState(const void* ctx, u32 index) {
  const LookupCtx* c = static_cast<const LookupCtx*>(ctx);
  int i = CtxDest(*c, index);
  wmh_dest_state base = BaseState(*c, i);
  if (i < 0) return base;
  const Dest& d = c->svc->dests[i];
  return chbl_dest_state(base, DestConns(d), static_cast<u32>(std::max(d.weight, 0)), &c->load,
                         c->eps);
}

}  // namespace

WmhScheduler::WmhScheduler(const SchedulerOptions& opts, TableKind kind)
    : opts_(opts), kind_(kind) {}

std::string_view WmhScheduler::name() const { return KindName(kind_); }

std::string_view KindName(TableKind kind) {
  switch (kind) {
    case TableKind::kHrw:
      return "hrw";
    case TableKind::kChbl:
      return "chbl";
    default:
      return "wmh";
  }
}

WmhScheduler::~WmhScheduler() {
  if (has_table_) wmh_table_free(&table_);
}

int WmhScheduler::Build(const Service& svc, size_t first, bool init) {
  size_t n = svc.dests.size() - first;
  std::vector<wmh_dest_spec> spec(n);
  for (size_t i = 0; i < n; ++i) {
    const Dest& d = svc.dests[first + i];
    wmh_dest_spec_init(&spec[i], WmhFamily(d.ep.addr.family), d.ep.addr.bytes.data(),
                       htons(d.ep.port), d.last_weight);
  }
  wmh_table fresh{};
  int ret = BuildTable(spec, init, &fresh);
  if (ret != 0) return ret;
  if (has_table_) wmh_table_free(&table_);
  table_ = fresh;
  has_table_ = true;
  specs_ = std::move(spec);
  refs_ = SnapshotDests(svc);
  refs_.erase(refs_.begin(), refs_.begin() + static_cast<std::ptrdiff_t>(first));
  return 0;
}

int WmhScheduler::BuildTable(const std::vector<wmh_dest_spec>& spec, bool first,
                             wmh_table* fresh) const {
  u32 n = static_cast<u32>(spec.size());
  if (kind_ != TableKind::kHrw)
    return wmh_table_build(fresh, opts_.wmh_table_size, &opts_.wmh_key, spec.data(), n);
  if (has_table_ && !first) return hrw_table_rebuild(fresh, &table_, specs_.data(), spec.data(), n);
  return hrw_table_build(fresh, opts_.wmh_table_size, &opts_.wmh_key, spec.data(), n);
}

bool WmhScheduler::Update(const Service& svc, SchedEvent event, const Dest* /*dest*/,
                          std::string* err) {
  // Served tables are ip_vs_wmh's export: hrw's services are not in it.
  if (event == SchedEvent::kInit && opts_.wmh_served && kind_ == TableKind::kWmh) {
    if (const WmhServedTable* t = FindServed(*opts_.wmh_served, svc.key)) {
      if (!Adopt(*t, err)) return false;
      MapToService(svc);
      return true;
    }
  }
  size_t first = 0;
  if (event == SchedEvent::kInit && svc.dests.size() > opts_.wmh_table_size) {
    first = svc.dests.size() - opts_.wmh_table_size;  // ipvsadm -R: see the header
    outgrown_said_ = true;                            // OutgrownMessage says it
  }
  int ret = Build(svc, first, event == SchedEvent::kInit);
  MapToService(svc);
  if (ret == 0 && first == 0) outgrown_said_ = false;
  if (ret == -ENOSPC && outgrown_said_ && has_table_) {
    err->clear();  // still more dests than slots: said already
    return false;
  }
  if (ret == -ENOSPC) outgrown_said_ = true;
  if (ret != 0) {
    std::string why =
        ret == -ENOSPC ? fmt::format("{} servers, {} slots", svc.dests.size(), opts_.wmh_table_size)
                       : fmt::format("error {}", ret);
    *err = fmt::format("{}: {}: table rebuild failed ({}), {}: {}", name(), svc.key.ToString(), ret,
                       has_table_ ? "previous table kept" : "no table", why);
    return false;
  }
  return true;
}

bool WmhScheduler::Adopt(const WmhServedTable& t, std::string* err) {
  if (t.table_size != opts_.wmh_table_size) {
    *err = fmt::format("{}: table_size {}, but the table size is {}", t.file, t.table_size,
                       opts_.wmh_table_size);
    return false;
  }
  uint32_t fp = wmh_hash_key_fingerprint(&opts_.wmh_key);
  if (t.key_fingerprint != fp) {
    *err = fmt::format("{}: hash key fingerprint {:08x}, but the hash key's is {:08x}", t.file,
                       t.key_fingerprint, fp);
    return false;
  }
  u32 n = static_cast<u32>(t.dests.size());
  if (n > t.table_size || t.slots.size() != t.table_size) {
    *err = fmt::format("{}: {} dests and {} slots for a table of {}", t.file, n, t.slots.size(),
                       t.table_size);
    return false;
  }
  // The core's allocation (and key order, the lookup's last resort) for
  // the export's dests; then the export's slots.
  std::vector<wmh_dest_spec> spec(n);
  for (u32 i = 0; i < n; ++i) {
    const Endpoint& ep = t.dests[i].ep;
    wmh_dest_spec_init(&spec[i], WmhFamily(ep.addr.family), ep.addr.bytes.data(), htons(ep.port),
                       static_cast<int>(t.dests[i].table_weight));
  }
  wmh_table nt{};
  if (wmh_table_alloc(&nt, t.table_size, &opts_.wmh_key, spec.data(), n) != 0) {
    *err = fmt::format("{}: out of memory", t.file);
    return false;
  }
  for (u32 s = 0; s < nt.size; ++s) {
    u32 d = t.slots[s];
    if (d != WMH_NO_DEST && d >= n) {
      wmh_table_free(&nt);
      *err = fmt::format("{}: slot {} holds dest {} of {}", t.file, s, d, n);
      return false;
    }
    wmh_table_set_slot(&nt, s, d);
  }
  if (has_table_) wmh_table_free(&table_);
  table_ = nt;
  has_table_ = true;
  specs_ = std::move(spec);
  refs_.clear();
  for (const WmhServedDest& d : t.dests) refs_.push_back(DestRef{.ep = d.ep});
  return true;
}

void WmhScheduler::MapToService(const Service& svc) {
  current_.resize(refs_.size());
  for (size_t i = 0; i < refs_.size(); ++i) current_[i] = ResolveDest(svc, refs_[i]);
  mapped_size_ = svc.dests.size();
}

wmh_dest_state WmhScheduler::DestState(const void* ctx, u32 index) {
  const LookupCtx* c = static_cast<const LookupCtx*>(ctx);
  return BaseState(*c, CtxDest(*c, index));
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
  bool overflow = wmh_overflow(svc.flags, opts_.wmh_overflow);
  if (kind_ == TableKind::kChbl) return ScheduleBounded(&ctx, msg, len, overflow);
  u32 idx = wmh_lookup(&table_, msg, len, &WmhScheduler::DestState, &ctx, overflow);
  if (idx == WMH_NO_DEST) return -1;
  return CtxDest(ctx, idx);
}

int WmhScheduler::ScheduleBounded(void* ctxp, const u8* msg, u32 len, bool overflow) {
  LookupCtx& ctx = *static_cast<LookupCtx*>(ctxp);
  const Service& svc = *ctx.svc;
  // The module's chbl_lookup(): the load of the table's dests first.
  for (u32 k = 0; k < refs_.size(); ++k) {
    int i = CtxDest(ctx, k);
    if (i < 0) continue;  // removed: DOWN, not counted
    const Dest& d = svc.dests[i];
    chbl_load_add(&ctx.load, BaseState(ctx, i), DestConns(d),
                  static_cast<u32>(std::max(d.weight, 0)));
  }
  ctx.eps = chbl_eps_of(svc.flags, opts_.chbl_eps, opts_.chbl_eps_flag3);
  u32 idx = wmh_lookup(&table_, msg, len, &ChblDestState, &ctx, overflow);
  last_bounded_ = false;
  if (idx == WMH_NO_DEST) return -1;
  ++scheduled_;
  u32 first = wmh_table_slot(&table_, wmh_lookup_slot(&table_, msg, len));
  last_bounded_ = idx != first && ChblDestState(&ctx, first) == WMH_DEST_FULL;
  bounded_ += last_bounded_;
  return CtxDest(ctx, idx);
}

std::string OutgrownMessage(const Service& svc, const SchedulerOptions& opts) {
  size_t n = svc.dests.size();
  if (n <= opts.wmh_table_size) return "";
  std::string head =
      fmt::format("{}: {} servers, {} slots", WmhServiceName(svc.key), n, opts.wmh_table_size);
  if (opts.wmh_served)
    if (const WmhServedTable* t = FindServed(*opts.wmh_served, svc.key))
      return fmt::format("{}: the kernel serves the table in {} (raise table_size)", head, t->file);
  return fmt::format("{}: the kernel keeps the table of the first {} (raise table_size)", head,
                     opts.wmh_table_size);
}

}  // namespace ipvs_sim
