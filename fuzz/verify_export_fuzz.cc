// SPDX-License-Identifier: GPL-2.0
// The parser of ip_vs_wmh's table export (tools/lib/wmh_export.c, shared
// by ipvs-verify and ipvs-sim) and the verdict on what it accepts: a parsed export holds a
// table_size of slots, each a dest index below ndests or none, ndests at
// most table_size, a reason only with an error; verifying it against the
// core's table (tables-only, default key, the export's own size) returns
// a verdict without crashing, whatever the input.
#include <cerrno>
#include <cstring>

#include "fuzz_util.h"

extern "C" {
#include "verify.h"
#include "wmh_export.h"
}
#include "wmh_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  struct wmh_export e;
  char err[256];
  int ret = export_parse(reinterpret_cast<const char*>(data), size, &e, err, sizeof(err));
  if (ret) {
    FUZZ_CHECK(ret == -EINVAL || ret == -ENOMEM);
    FUZZ_CHECK(ret == -ENOMEM || strncmp(err, "line ", 5) == 0);
    return 0;
  }
  FUZZ_CHECK(e.table_size > 0 && e.ndests <= e.table_size);
  FUZZ_CHECK(e.last_error < 0 || e.last_reason[0] == '\0');
  for (unsigned int s = 0; s < e.table_size; ++s)
    FUZZ_CHECK(e.slots[s] == EXPORT_NO_DEST || e.slots[s] < e.ndests);
  char name[96];
  export_service_name(&e, name, sizeof(name));
  for (unsigned int i = 0; i < e.ndests; ++i) export_dest_name(&e, i, name, sizeof(name));

  // Tables up to 4093 slots: larger ones only cost time.
  if (e.table_size <= 4093) {
    struct verify_params p = {};
    p.key = wmh_default_hash_key;
    p.max_diffs = 4;
    struct verify_result r;
    if (verify_service(&e, nullptr, &p, &r) == 0) {
      FUZZ_CHECK(r.ndiffs <= r.differing && r.ndiffs <= 4);
      FUZZ_CHECK((r.status == VERIFY_IDENTICAL || r.status == VERIFY_OLD_TABLE) ==
                 (!r.differing && !r.key_differs && !r.size_differs));
      verify_result_free(&r);
    }
  }
  export_free(&e);
  return 0;
}
