/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ip_vs_wmh's table export (/sys/kernel/debug/ip_vs_wmh/NAME, format 1,
 * Documentation/wmh.rst) read into memory: the service, the module's facts,
 * the outcome of the last rebuild, the dests of the serving table with the
 * weights it was built from, and its slots. The one parser of the format:
 * ipvs-verify and ipvs-sim (predict, compare, whatif --export/--live) link
 * it (library wmhexport, plain C, no libnl).
 *
 * The parser is strict about what it needs (every required line, dests
 * numbered in order, every slot, the closing "end": a truncated file is an
 * error) and ignores header keys and dest fields it does not know, so that
 * the module can add some without a new format version.
 */
#ifndef IPVS_WMH_EXPORT_H
#define IPVS_WMH_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXPORT_HEADER "ip_vs_wmh table export"
#define EXPORT_FORMAT 1
#define EXPORT_NO_DEST 0xffffffffU /* a slot without a dest ("-") */

enum export_dest_state {
	EXPORT_DEST_UP,
	EXPORT_DEST_OVERLOADED,
	EXPORT_DEST_DOWN, /* weight 0 */
	EXPORT_DEST_REMOVED, /* no longer in the service: an old table */
	EXPORT_DEST_UNKNOWN, /* a state this tool does not know */
};

struct export_dest {
	int af; /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* IPv4 in the first 4 bytes, the rest 0 */
	unsigned short port; /* host order */
	unsigned int table_weight; /* the weight the table was built from */
	int weight; /* the dest's weight when the file was read */
	enum export_dest_state state;
};

struct wmh_export {
	char sched_name[16];
	unsigned long long netns; /* inode of /proc/PID/ns/net */
	int af;
	unsigned int protocol; /* IPPROTO_*; 0 for a fwmark service */
	unsigned int fwmark;
	unsigned char addr[16];
	unsigned short port;
	unsigned int flags;
	bool port_hash, overflow;
	unsigned int table_size;
	unsigned int key_fingerprint;
	unsigned long long generation;
	int last_error; /* 0, or the negative errno of the last rebuild */
	char last_reason[128];
	unsigned long long failed_rebuilds;
	unsigned int ndests;
	struct export_dest *dests;
	unsigned int *slots; /* table_size dest indexes or EXPORT_NO_DEST */
};

/*
 * Parses @len bytes of @text into @e. Returns 0, or -EINVAL with a message
 * naming the line in @err ("line 12: dest 3: no table_weight"), or -ENOMEM;
 * on error @e holds nothing to free.
 */
int export_parse(const char *text, size_t len, struct wmh_export *e, char *err,
		 size_t errlen);

void export_free(struct wmh_export *e);

/* Reads a whole file (debugfs files report size 0). 0 or -errno. */
int export_read_file(const char *path, char **text, size_t *len);

/* "udp 10.0.7.1:53", "tcp [fd00::1]:80" or "fwmark 7 ipv4". */
void export_service_name(const struct wmh_export *e, char *buf, size_t len);

/* "172.16.7.1:53" or "[fd00::2]:80"; "-" for EXPORT_NO_DEST. */
void export_dest_name(const struct wmh_export *e, unsigned int index, char *buf,
		      size_t len);

const char *export_dest_state_name(enum export_dest_state s);

#ifdef __cplusplus
}
#endif

#endif /* IPVS_WMH_EXPORT_H */
