/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels ip_vs_wmh builds for. Force-included into
 * every kernel object by Kbuild, which defines the WMH_HAVE_* macros by
 * probing the target tree's headers (never by LINUX_VERSION_CODE: Debian's
 * stable kernels carry backports that version numbers do not reveal).
 * Macros only, so that it includes nothing before each file's pr_fmt.
 */
#ifndef WMH_COMPAT_H
#define WMH_COMPAT_H

/*
 * "ipvs: separate destination availability state" (6.1.184, 6.12.105) moved
 * the availability bit from dest->flags to dest->cflags.
 */
#ifdef WMH_HAVE_DEST_CFLAGS
#define wmh_compat_dest_available(dest) \
	((dest)->cflags & IP_VS_DEST_CF_AVAILABLE)
#define WMH_COMPAT_AVAILABLE "cflags"
#else
#define wmh_compat_dest_available(dest) \
	((dest)->flags & IP_VS_DEST_F_AVAILABLE)
#define WMH_COMPAT_AVAILABLE "flags"
#endif

/*
 * An upstream series of 2026 (Cc stable) removes IP_VS_DEST_F_OVERLOAD and
 * keeps the overload bit as IP_VS_DEST_FL_OVERLOAD in the new
 * dest->flags2, changed and read with the atomic bitops.
 */
#ifdef WMH_HAVE_DEST_FLAGS2
#define wmh_compat_dest_overloaded(dest) \
	test_bit(IP_VS_DEST_FL_OVERLOAD, &(dest)->flags2)
#define WMH_COMPAT_OVERLOAD "flags2"
#else
#define wmh_compat_dest_overloaded(dest) \
	(!!((dest)->flags & IP_VS_DEST_F_OVERLOAD))
#define WMH_COMPAT_OVERLOAD "flags"
#endif

/*
 * The form of each API above the module was built for, as modinfo's
 * "compat" field ("available=cflags overload=flags"): tests/kmod/next-api.sh
 * reads it to prove which path a build took.
 */
#define WMH_COMPAT_INFO \
	"available=" WMH_COMPAT_AVAILABLE " overload=" WMH_COMPAT_OVERLOAD

#endif /* WMH_COMPAT_H */
