// SPDX-License-Identifier: GPL-2.0
// The module parameters the shared core parses (ip_vs_wmh_main.c): hash_key
// (wmh_hash_key_parse), sched_name (wmh_sched_name_index), table_size
// (wmh_table_size_check) and ip_vs_chbl's eps and eps_flag3
// (chbl_eps_parse), each against a reference written here.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "chbl_load.h"
#include "fuzz_util.h"
#include "wmh_lookup.h"
#include "wmh_table.h"

namespace {

bool IsPrime(uint32_t n) {
  if (n < 2) return false;
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

// 32 hex digits and at most one trailing newline, as the header says.
bool KeyTextValid(const std::string& s) {
  size_t len = s.size();
  if (len == 33 && s[32] == '\n') len = 32;
  if (len != 32) return false;
  for (size_t i = 0; i < 32; ++i) {
    if (!isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// chbl_load.h's eps: digits, optionally '.' and at most three decimals, at
// least one digit in all, at most one trailing newline, at most
// CHBL_EPS_MAX thousandths. The value in thousandths, or -1.
long EpsReference(const std::string& s) {
  size_t i = 0, n = s.size();
  if (n && s[n - 1] == '\n') --n;
  long whole = 0, frac = 0;
  bool digits = false;
  for (; i < n && isdigit(static_cast<unsigned char>(s[i])); ++i, digits = true)
    whole = std::min(whole * 10 + (s[i] - '0'), 1000000L);
  if (i < n && s[i] == '.') {
    int decimals = 0;
    for (++i; i < n && isdigit(static_cast<unsigned char>(s[i])); ++i, digits = true) {
      if (++decimals > 3) return -1;
      frac = frac * 10 + (s[i] - '0');
    }
    for (; decimals < 3; ++decimals) frac *= 10;
  }
  if (i != n || !digits) return -1;
  long v = whole * 1000 + frac;
  return v <= static_cast<long>(CHBL_EPS_MAX) ? v : -1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The module gets C strings: the input up to its first NUL.
  std::string s(reinterpret_cast<const char*>(data),
                strnlen(reinterpret_cast<const char*>(data), size));

  wmh_hash_key key = {0x1111, 0x2222};
  int ret = wmh_hash_key_parse(s.c_str(), &key);
  FUZZ_CHECK((ret == 0) == KeyTextValid(s));
  if (ret == 0) {
    char hex[33];
    snprintf(hex, sizeof(hex), "%016llx%016llx", static_cast<unsigned long long>(key.k0),
             static_cast<unsigned long long>(key.k1));
    FUZZ_CHECK(strncasecmp(hex, s.c_str(), 32) == 0);
  } else {
    FUZZ_CHECK(ret == -EINVAL && key.k0 == 0x1111 && key.k1 == 0x2222);  // untouched
  }

  static const char* const kNames[WMH_SCHED_NAME_COUNT] = WMH_SCHED_NAMES;
  int idx = wmh_sched_name_index(s.c_str());
  FUZZ_CHECK(idx >= -1 && idx < WMH_SCHED_NAME_COUNT);
  if (idx >= 0) {
    FUZZ_CHECK(s == kNames[idx]);
  } else {
    for (const char* n : kNames) FUZZ_CHECK(s != n);
  }

  // eps: a value parses back from its own "%u.%03u"; a refused one leaves
  // the output as it was.
  u32 eps = 0xdeadbeef;
  ret = chbl_eps_parse(s.c_str(), &eps);
  long want = EpsReference(s);
  FUZZ_CHECK((ret == 0) == (want >= 0));
  if (ret == 0) {
    FUZZ_CHECK(eps <= CHBL_EPS_MAX && eps == static_cast<u32>(want));
    char text[32];
    snprintf(text, sizeof(text), "%u.%03u", eps / 1000, eps % 1000);
    u32 again = 0xdeadbeef;
    FUZZ_CHECK(chbl_eps_parse(text, &again) == 0 && again == eps);
  } else {
    FUZZ_CHECK(ret == -EINVAL && eps == 0xdeadbeef);
  }

  // table_size: the first four bytes as the uint the module gets, and the
  // text as a decimal number.
  uint32_t sizes[2] = {0, 0};
  if (size >= 4) memcpy(&sizes[0], data, 4);
  sizes[1] = static_cast<uint32_t>(strtoul(s.c_str(), nullptr, 10));
  for (uint32_t m : sizes) {
    bool ok = m >= WMH_TABLE_SIZE_MIN && m <= WMH_TABLE_SIZE_MAX && IsPrime(m);
    FUZZ_CHECK((wmh_table_size_check(m) == 0) == ok);
    FUZZ_CHECK(wmh_is_prime(m) == IsPrime(m));
  }
  return 0;
}
