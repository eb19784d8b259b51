// SPDX-License-Identifier: GPL-2.0
// Helpers for tests of the shared scheduler core.
#ifndef IPVS_SCHED_TESTS_CORE_CORE_TESTING_H_
#define IPVS_SCHED_TESTS_CORE_CORE_TESTING_H_

#include <arpa/inet.h>

#include <cstdint>
#include <random>
#include <vector>

#include "wmh_lookup.h"
#include "wmh_table.h"

namespace core_testing {

// Owns a built wmh_table.
class Table {
 public:
  Table() = default;
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  ~Table() {
    if (built_) wmh_table_free(&t_);
  }
  int Build(uint32_t size, const std::vector<wmh_dest_spec>& dests,
            const wmh_hash_key& key = wmh_default_hash_key) {
    if (built_) wmh_table_free(&t_);
    built_ = false;
    int ret = wmh_table_build(&t_, size, &key, dests.data(), dests.size());
    built_ = ret == 0;
    return ret;
  }
  const wmh_table* get() const { return &t_; }
  uint32_t slot(uint32_t s) const { return wmh_table_slot(&t_, s); }
  // Every slot, as spec indices (WMH_NO_DEST for none), whatever the width.
  std::vector<uint32_t> Slots() const {
    std::vector<uint32_t> v(t_.size);
    for (uint32_t s = 0; s < t_.size; ++s) v[s] = slot(s);
    return v;
  }
  uint32_t size() const { return t_.size; }

  // Slots per spec index.
  std::vector<uint32_t> Counts(size_t n) const {
    std::vector<uint32_t> c(n);
    for (uint32_t s = 0; s < t_.size; ++s)
      if (slot(s) != WMH_NO_DEST) c[slot(s)]++;
    return c;
  }

 private:
  wmh_table t_{};
  bool built_ = false;
};

inline wmh_dest_spec V4Dest(uint32_t host_order_addr, uint16_t port, uint32_t weight) {
  wmh_dest_spec d{};
  uint32_t a = htonl(host_order_addr);
  wmh_dest_key(d.key, WMH_AF_INET, &a, htons(port));
  d.weight = weight;
  return d;
}

inline wmh_dest_spec V6Dest(uint16_t last, uint16_t port, uint32_t weight) {
  wmh_dest_spec d{};
  uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
  a[14] = last >> 8;
  a[15] = last & 0xff;
  wmh_dest_key(d.key, WMH_AF_INET6, a, htons(port));
  d.weight = weight;
  return d;
}

// N dests 10.0.x.y:80 with the given weight.
inline std::vector<wmh_dest_spec> EqualDests(size_t n, uint32_t weight = 1) {
  std::vector<wmh_dest_spec> v;
  for (size_t i = 0; i < n; ++i) v.push_back(V4Dest(0x0a000000u + 1 + i, 80, weight));
  return v;
}

}  // namespace core_testing

#endif  // IPVS_SCHED_TESTS_CORE_CORE_TESTING_H_
