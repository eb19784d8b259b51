// SPDX-License-Identifier: GPL-2.0
#include "persistence.h"

#include <cstring>

namespace ipvs_sim {

namespace {

constexpr uint16_t kFtpPort = 21;

// @addr masked to its first @bits bits.
std::array<uint8_t, 16> Masked(const IpAddr& addr, int bits) {
  std::array<uint8_t, 16> out{};
  int len = static_cast<int>(addr.size());
  for (int i = 0; i < len && bits > 0; ++i, bits -= 8)
    out[i] = bits >= 8 ? addr.bytes[i] : static_cast<uint8_t>(addr.bytes[i] & (0xff << (8 - bits)));
  return out;
}

}  // namespace

size_t TemplateKeyHash::operator()(const TemplateKey& k) const {
  uint64_t a, b, c, d;
  std::memcpy(&a, k.client.data(), 8);
  std::memcpy(&b, k.client.data() + 8, 8);
  std::memcpy(&c, k.vaddr.data(), 8);
  std::memcpy(&d, k.vaddr.data() + 8, 8);
  uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ b;
  h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL ^ c;
  h = (h ^ (h >> 32)) * 0x94d049bb133111ebULL ^ d;
  h ^= uint64_t{k.vport} << 16 | uint64_t{k.proto} << 8 | static_cast<uint64_t>(k.family);
  return static_cast<size_t>(h ^ (h >> 31));
}

TemplateKey MakeTemplateKey(const Service& svc, const FlowKey& key) {
  TemplateKey t;
  t.family = svc.family();
  int full = t.family == Family::kV6 ? 128 : 32;
  int bits = svc.netmask_bits < 0 ? full : std::min(svc.netmask_bits, full);
  t.client = Masked(key.client.addr, bits);
  t.proto = static_cast<uint8_t>(key.proto);
  if (svc.key.fwmark == 0 && key.vip.port == svc.key.vip.port) {
    // <protocol, caddr, 0, vaddr, vport>; FTP: vport 0.
    t.vaddr = key.vip.addr.bytes;
    t.vport = svc.key.vip.port == kFtpPort ? 0 : key.vip.port;
  } else if (svc.key.fwmark) {
    // <IPPROTO_IP, caddr, 0, fwmark, 0>
    t.proto = 0;
    uint32_t m = svc.key.fwmark;
    t.vaddr[0] = static_cast<uint8_t>(m >> 24);
    t.vaddr[1] = static_cast<uint8_t>(m >> 16);
    t.vaddr[2] = static_cast<uint8_t>(m >> 8);
    t.vaddr[3] = static_cast<uint8_t>(m);
  } else {
    // Port-zero service: <protocol, caddr, 0, vaddr, 0>.
    t.vaddr = key.vip.addr.bytes;
  }
  return t;
}

uint32_t TemplateTable::Find(const TemplateKey& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? kNone : it->second;
}

void TemplateTable::Push(uint32_t idx) {
  heap_.push_back(Timer{pool_[idx].expires, idx, pool_[idx].gen});
  std::push_heap(heap_.begin(), heap_.end(), Later());
}

uint32_t TemplateTable::Create(const TemplateKey& key, uint16_t svc, uint32_t dest_id, double now,
                               double timeout) {
  uint32_t idx;
  if (free_ != kNone) {
    idx = free_;
    free_ = pool_[idx].next;
  } else {
    idx = static_cast<uint32_t>(pool_.size());
    pool_.emplace_back();
  }
  Entry& e = pool_[idx];
  uint32_t gen = e.gen;
  e = Entry();
  e.gen = gen;
  e.key = key;
  e.svc = svc;
  e.dest_id = dest_id;
  e.timeout = timeout;
  e.expires = now + timeout;
  e.live = true;
  e.hashed = true;
  index_[key] = idx;
  ++live_;
  Push(idx);
  return idx;
}

void TemplateTable::Control(uint32_t idx, double now) {
  Entry& e = pool_[idx];
  ++e.n_control;
  e.expires = now + e.timeout;  // the pending heap entry re-pushes itself
}

void TemplateTable::Release(uint32_t idx) {
  if (idx >= pool_.size()) return;  // cleared (director reboot)
  Entry& e = pool_[idx];
  if (e.n_control) --e.n_control;
}

void TemplateTable::Unhash(uint32_t idx) {
  Entry& e = pool_[idx];
  if (!e.hashed) return;
  index_.erase(e.key);
  e.hashed = false;
}

void TemplateTable::Free(uint32_t idx) {
  Unhash(idx);
  Entry& e = pool_[idx];
  e.live = false;
  ++e.gen;
  e.next = free_;
  free_ = idx;
  --live_;
}

void TemplateTable::Clear() {
  pool_.clear();
  index_.clear();
  heap_.clear();
  free_ = kNone;
  live_ = 0;
}

}  // namespace ipvs_sim
