// SPDX-License-Identifier: GPL-2.0
// The module parameters the shared core parses (ip_vs_wmh_main.c): hash_key
// (wmh_hash_key_parse), sched_name (wmh_sched_name_index) and table_size
// (wmh_table_size_check), each against a reference written here.
#include <cctype>
#include <cstring>
#include <string>

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
