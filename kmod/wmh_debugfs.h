/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table export: one read-only, root-only debugfs file per service,
 * /sys/kernel/debug/ip_vs_wmh/NAME, rendered only when read. debugfs is
 * optional: when a directory or file cannot be created, every service
 * works as before, without its file. The format is in
 * Documentation/wmh.rst.
 */
#ifndef WMH_DEBUGFS_H
#define WMH_DEBUGFS_H

#include "wmh_svc.h"

/* What the module knows once loaded, the same for every service. */
struct wmh_export_info {
	const char *sched_name;	/* must outlive the module's registration */
	u32 key_fingerprint;	/* wmh_hash_key_fingerprint() of the key */
	bool port_hash;		/* the module parameters */
	bool overflow;
};

/* Module init, before the scheduler registers; never fails the load. */
void wmh_debugfs_init(const struct wmh_export_info *info);
/* Module exit, after every service is gone: removes the directory. */
void wmh_debugfs_exit(void);

/*
 * A service's file, created once its first table is published and removed
 * before its state is retired. REQUIRES: the IPVS mutex (the service's
 * bind and unbind). Removal waits for readers inside the file.
 */
void wmh_debugfs_add(struct wmh_service *ws);
void wmh_debugfs_remove(struct wmh_service *ws);

#endif /* WMH_DEBUGFS_H */
