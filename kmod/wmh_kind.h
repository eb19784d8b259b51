/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which module the shared glue is compiled into. ip_vs_wmh.ko, ip_vs_hrw.ko
 * and ip_vs_chbl.ko run the same scheduler glue (ip_vs_wmh_main.c), table
 * export (wmh_debugfs.c) and lookup (wmh_lookup.c); they differ in how a
 * table is built (hrw), in the load bound (chbl) and in their names. Kbuild
 * compiles those files again, as hrw-*.o with WMH_KIND_HRW and as chbl-*.o
 * with WMH_KIND_CHBL. Only wmh has drop-in names (WMH_KIND_DROPIN).
 *
 * Names only, no includes: pr_fmt() uses WMH_KIND, so this comes before
 * every other header (the table sizes are wmh_table.h's and hrw_table.h's).
 */
#ifndef WMH_KIND_H
#define WMH_KIND_H

#ifdef WMH_KIND_HRW
#define WMH_KIND "hrw"
#define WMH_KIND_TABLE_SIZE_DEFAULT HRW_TABLE_SIZE_DEFAULT
#define WMH_KIND_TABLE_SIZE_TEXT "262139"
#define WMH_KIND_DESCRIPTION "IPVS weighted rendezvous hashing scheduler (hrw)"
#elif defined(WMH_KIND_CHBL)
#define WMH_KIND "chbl"
#define WMH_KIND_TABLE_SIZE_DEFAULT WMH_TABLE_SIZE_DEFAULT
#define WMH_KIND_TABLE_SIZE_TEXT "65537"
#define WMH_KIND_DESCRIPTION "IPVS consistent hashing with bounded loads scheduler (chbl)"
#else
#define WMH_KIND "wmh"
#define WMH_KIND_DROPIN
#define WMH_KIND_TABLE_SIZE_DEFAULT WMH_TABLE_SIZE_DEFAULT
#define WMH_KIND_TABLE_SIZE_TEXT "65537"
#define WMH_KIND_DESCRIPTION "IPVS weighted Maglev hashing scheduler (wmh)"
#endif

#endif /* WMH_KIND_H */
