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
#else
#define wmh_compat_dest_available(dest) \
	((dest)->flags & IP_VS_DEST_F_AVAILABLE)
#endif

#endif /* WMH_COMPAT_H */
