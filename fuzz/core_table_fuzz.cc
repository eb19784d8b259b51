// SPDX-License-Identifier: GPL-2.0
// Table build and lookup of the shared core (wmh_table.h, wmh_lookup.h)
// from fuzzed destination sets, checking what the headers promise:
// - a bad size is -EINVAL, more destinations than slots -ENOSPC, a failed
//   allocation -ENOMEM with the table untouched;
// - every slot holds a valid spec index, or none in every slot when the
//   weights sum to zero;
// - destination i owns exactly T_i slots, M * w_i / W rounded by largest
//   remainder, ties in key order;
// - the table is the same for any order of the same destinations;
// - a lookup returns an UP destination whenever one exists, else a FULL
//   one (chbl's load bound) when one exists, else an OVERLOADED one with
//   overflow, and none only when none may take the flow.
//
// Input: byte 0 picks the table size, byte 1 the hash key, the overflow
// flag, the insertion order and allocation failures; then 8 bytes per
// destination: family, two address bytes, port, weight (3 bytes: byte 0
// scaled, so that large and zero weights both occur) and state. Lookups
// hash the remaining bytes.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "fuzz_util.h"
#include "wmh_lookup.h"
#include "wmh_table.h"

namespace {

const uint32_t kSizes[] = {3,   5,   7,    11,   13,   17,   31,    61, 101, 251,
                           257, 509, 1021, 2039, 4093, 8191, 65537, 4,  1,   0};

struct States {
  std::vector<wmh_dest_state> s;
};

wmh_dest_state StateOf(const void* ctx, u32 index) {
  const States* st = static_cast<const States*>(ctx);
  FUZZ_CHECK(index < st->s.size());
  return st->s[index];
}

// Reference apportionment: T_i by spec index.
std::vector<uint32_t> Targets(uint32_t m, const std::vector<wmh_dest_spec>& d) {
  size_t n = d.size();
  uint64_t w = 0;
  for (const auto& x : d) w += x.weight;
  std::vector<uint32_t> t(n, 0);
  if (w == 0) return t;
  std::vector<uint64_t> rem(n);
  uint64_t assigned = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t prod = static_cast<uint64_t>(m) * d[i].weight;
    t[i] = static_cast<uint32_t>(prod / w);
    rem[i] = prod % w;
    assigned += t[i];
  }
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    if (rem[a] != rem[b]) return rem[a] > rem[b];
    return memcmp(d[a].key, d[b].key, WMH_DEST_KEY_LEN) < 0;
  });
  FUZZ_CHECK(assigned <= m && m - assigned <= n);
  for (uint64_t i = 0; i < m - assigned; ++i) t[idx[i]]++;
  return t;
}

// Dests from 8-byte records of @data (at most 96, duplicates skipped),
// with the state the lookups will report for each; returns the bytes used.
size_t ParseDests(const uint8_t* data, size_t size, std::vector<wmh_dest_spec>* specs,
                  States* states) {
  size_t used = 0;
  while (size - used >= 8 && specs->size() < 96) {
    const uint8_t* p = data + used;
    used += 8;
    int family = (p[0] & 1) ? WMH_AF_INET6 : WMH_AF_INET;
    uint8_t addr[16] = {10, 0, 0, 0};
    if (family == WMH_AF_INET6) addr[0] = 0x20;
    addr[14 - (family == WMH_AF_INET6 ? 0 : 12)] = p[1];
    addr[15 - (family == WMH_AF_INET6 ? 0 : 12)] = p[2];
    uint16_t port_be = static_cast<uint16_t>(p[3] | p[4] << 8);
    int weight = p[5] < 8 ? 0 : (p[5] > 250 ? 0x7fffffff - p[6] : p[5] << 8 | p[6]);
    if (p[0] & 2) weight = -weight;  // IPVS never has one; treated as 0
    wmh_dest_spec spec;
    wmh_dest_spec_init(&spec, family, addr, port_be, weight);
    bool dup = false;
    for (const auto& s : *specs) dup |= memcmp(s.key, spec.key, WMH_DEST_KEY_LEN) == 0;
    if (dup) continue;  // a service never holds the same destination twice
    specs->push_back(spec);
    // 0 UP, 1 OVERLOADED, 2 DOWN as before chbl (the corpus's seeds), 3 FULL.
    static const wmh_dest_state kStates[] = {WMH_DEST_UP, WMH_DEST_OVERLOADED, WMH_DEST_DOWN,
                                             WMH_DEST_FULL};
    states->s.push_back(kStates[p[7] % 4]);
  }
  return used;
}

// With the k-th allocation failing: -ENOMEM and @t untouched, or success.
void CheckFailedAllocation(uint8_t ctl, uint32_t m, const wmh_hash_key& key,
                           const std::vector<wmh_dest_spec>& specs) {
  wmh_table t;
  memset(&t, 0xa5, sizeof(t));
  wmh_table sentinel = t;
  uint32_t n = static_cast<uint32_t>(specs.size());
  wmh_fail_alloc_after = (ctl >> 2) & 7;
  int ret = wmh_table_build(&t, m, &key, specs.data(), n);
  wmh_fail_alloc_after = -1;
  if (ret == 0) {
    wmh_table_free(&t);
    return;
  }
  FUZZ_CHECK(memcmp(&t, &sentinel, sizeof(t)) == 0);
  if (ret == -ENOMEM) FUZZ_CHECK(wmh_table_size_check(m) == 0 && n <= m);
}

// Every slot holds a dest (none when no weight), each dest exactly its
// apportioned count, and order[] is every spec index sorted by key.
void CheckSlots(const wmh_table& t, const std::vector<wmh_dest_spec>& specs, uint64_t wsum) {
  uint32_t m = t.size, n = static_cast<uint32_t>(specs.size());
  std::vector<uint32_t> count(n, 0);
  for (uint32_t s = 0; s < m; ++s) {
    uint32_t idx = wmh_table_slot(&t, s);
    if (wsum == 0) {
      FUZZ_CHECK(idx == WMH_NO_DEST);
    } else {
      FUZZ_CHECK(idx < n);
      count[idx]++;
    }
  }
  std::vector<uint32_t> target = Targets(m, specs);
  for (uint32_t i = 0; i < n; ++i) {
    FUZZ_CHECK(count[i] == target[i]);
    if (specs[i].weight == 0) FUZZ_CHECK(count[i] == 0);
  }
  for (uint32_t i = 0; i < n; ++i) {
    FUZZ_CHECK(t.order[i] < n);
    if (i > 0) {
      FUZZ_CHECK(memcmp(specs[t.order[i - 1]].key, specs[t.order[i]].key, WMH_DEST_KEY_LEN) < 0);
    }
  }
}

// The same destinations in another order give the same table.
void CheckOrderIndependence(const wmh_table& t, const wmh_hash_key& key,
                            const std::vector<wmh_dest_spec>& specs, uint8_t ctl) {
  uint32_t m = t.size, n = static_cast<uint32_t>(specs.size());
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  uint32_t seed = ctl * 2654435761U + n;
  for (uint32_t i = n; i > 1; --i) {
    seed = seed * 1103515245U + 12345U;
    std::swap(perm[i - 1], perm[(seed >> 8) % i]);
  }
  std::vector<wmh_dest_spec> shuffled(n);
  for (uint32_t i = 0; i < n; ++i) shuffled[i] = specs[perm[i]];
  wmh_table t2;
  FUZZ_CHECK(wmh_table_build(&t2, m, &key, shuffled.data(), n) == 0);
  for (uint32_t s = 0; s < m; ++s) {
    uint32_t a = wmh_table_slot(&t, s), b = wmh_table_slot(&t2, s);
    FUZZ_CHECK((a == WMH_NO_DEST) == (b == WMH_NO_DEST));
    if (a != WMH_NO_DEST) FUZZ_CHECK(perm[b] == a);
  }
  wmh_table_free(&t2);
}

// Lookups from each flow message of @flows, as the module makes them: an
// UP dest if any, else a FULL one, else with @overflow an OVERLOADED one.
void CheckLookups(const wmh_table& t, const States& states, const uint8_t* flows, size_t nflows,
                  bool overflow, uint64_t wsum) {
  uint32_t n = t.ndests;
  bool any_up = false, any_full = false, any_over = false;
  for (auto st : states.s) {
    any_up |= st == WMH_DEST_UP;
    any_full |= st == WMH_DEST_FULL;
    any_over |= st == WMH_DEST_OVERLOADED;
  }
  size_t lookups = 0;
  for (size_t off = 0; off < nflows || lookups == 0; off += 6) {
    u8 msg[WMH_FLOW_MSG_MAX] = {};
    uint8_t addr[16] = {};
    size_t take = std::min<size_t>(6, nflows > off ? nflows - off : 0);
    if (take) memcpy(addr, flows + off, take);
    int family = (lookups & 1) ? WMH_AF_INET6 : WMH_AF_INET;
    uint16_t port_be = static_cast<uint16_t>(addr[4] | addr[5] << 8);
    u32 len = wmh_flow_msg(msg, family, addr, lookups & 2, port_be);
    FUZZ_CHECK(wmh_lookup_slot(&t, msg, len) < t.size);
    u32 got = wmh_lookup(&t, msg, len, StateOf, &states, overflow);
    if (wsum == 0) {
      FUZZ_CHECK(got == WMH_NO_DEST);
    } else if (any_up) {
      FUZZ_CHECK(got < n && states.s[got] == WMH_DEST_UP);
    } else if (any_full) {
      FUZZ_CHECK(got < n && states.s[got] == WMH_DEST_FULL);
    } else if (overflow && any_over) {
      FUZZ_CHECK(got < n && states.s[got] == WMH_DEST_OVERLOADED);
    } else {
      FUZZ_CHECK(got == WMH_NO_DEST);
    }
    if (++lookups >= 64) break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint32_t m = kSizes[data[0] % (sizeof(kSizes) / sizeof(kSizes[0]))];
  uint8_t ctl = data[1];
  wmh_hash_key key = wmh_default_hash_key;
  if (ctl & 1) key = {0x0706050403020100ULL ^ ctl, 0x0f0e0d0c0b0a0908ULL};
  bool overflow = ctl & 2;
  data += 2;
  size -= 2;

  std::vector<wmh_dest_spec> specs;
  States states;
  size_t used = ParseDests(data, size, &specs, &states);
  uint32_t n = static_cast<uint32_t>(specs.size());
  if (ctl & 0x80) CheckFailedAllocation(ctl, m, key, specs);

  wmh_table t;
  memset(&t, 0xa5, sizeof(t));
  wmh_table sentinel = t;
  int ret = wmh_table_build(&t, m, &key, specs.data(), n);
  if (wmh_table_size_check(m) != 0) {
    FUZZ_CHECK(ret == -EINVAL && memcmp(&t, &sentinel, sizeof(t)) == 0);
    return 0;
  }
  if (n > m) {
    FUZZ_CHECK(ret == -ENOSPC && memcmp(&t, &sentinel, sizeof(t)) == 0);
    return 0;
  }
  FUZZ_CHECK(ret == 0);
  FUZZ_CHECK(t.size == m && t.ndests == n && t.wide == (n > WMH_SLOT16_DESTS_MAX));

  uint64_t wsum = 0;
  for (const auto& s : specs) wsum += s.weight;
  CheckSlots(t, specs, wsum);
  CheckOrderIndependence(t, key, specs, ctl);
  CheckLookups(t, states, data + used, size - used, overflow, wsum);
  wmh_table_free(&t);
  return 0;
}
