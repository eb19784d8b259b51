// SPDX-License-Identifier: GPL-2.0
/*
 * The table export: /sys/kernel/debug/ip_vs_wmh/ (ip_vs_hrw/ for hrw) holds
 * one read-only, root-only file per service that the module serves, named after the service's
 * network namespace and identity (NETNS-PROTO-ADDR-PORT, or
 * NETNS-fwmark-MARK-FAMILY). Reading it renders the service's identity, the
 * table size and a fingerprint of the hash key, the generation of the table
 * being served and the outcome of the last rebuild, the dests of that table
 * with the weights it was built from, and every slot as an index into that
 * dest list. Documentation/wmh.rst has the format.
 *
 * The packet path never sees the export: files are created and removed when
 * services are bound and unbound, and rendered only when read, under the
 * service's lock. Readers never take the IPVS mutex: unbinding holds it
 * while debugfs_remove() waits for them.
 */
#include "wmh_kind.h"

#define KMSG_COMPONENT "IPVS"
#define pr_fmt(fmt) KMSG_COMPONENT ": " WMH_KIND ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "wmh_debugfs.h"
#include "wmh_lookup.h"

/*
 * The file format's version: the first line of every file, hrw's too (the
 * format is named after its first module; sched_name tells them apart).
 */
#define WMH_EXPORT_HEADER "ip_vs_wmh table export 1"
#define WMH_EXPORT_NAME_LEN 80
#define WMH_SLOTS_PER_LINE 16

static struct dentry *wmh_debugfs_dir;
static struct wmh_export_info wmh_info;

/* "tcp", "udp", "sctp", or the protocol's number. */
static const char *wmh_proto_name(u16 protocol, char *buf, size_t len)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	}
	snprintf(buf, len, "%u", protocol);
	return buf;
}

static unsigned int wmh_netns(const struct ip_vs_service *svc)
{
	return svc->ipvs->net->ns.inum;
}

static void wmh_export_name(char *buf, size_t len,
			    const struct ip_vs_service *svc)
{
	char pbuf[8];
	const char *proto = wmh_proto_name(svc->protocol, pbuf, sizeof(pbuf));

	if (svc->fwmark)
		snprintf(buf, len, "%u-fwmark-%u-%s", wmh_netns(svc),
			 svc->fwmark, svc->af == AF_INET6 ? "ipv6" : "ipv4");
	else if (svc->af == AF_INET6)
		snprintf(buf, len, "%u-%s-%pI6c-%u", wmh_netns(svc), proto,
			 &svc->addr.in6, ntohs(svc->port));
	else
		snprintf(buf, len, "%u-%s-%pI4-%u", wmh_netns(svc), proto,
			 &svc->addr.ip, ntohs(svc->port));
}

static void wmh_export_service(struct seq_file *m,
			       const struct ip_vs_service *svc)
{
	char pbuf[8];
	const char *proto = wmh_proto_name(svc->protocol, pbuf, sizeof(pbuf));

	if (svc->fwmark)
		seq_printf(m, "service fwmark %u %s\n", svc->fwmark,
			   svc->af == AF_INET6 ? "ipv6" : "ipv4");
	else if (svc->af == AF_INET6)
		seq_printf(m, "service %s [%pI6c]:%u\n", proto, &svc->addr.in6,
			   ntohs(svc->port));
	else
		seq_printf(m, "service %s %pI4:%u\n", proto, &svc->addr.ip,
			   ntohs(svc->port));
}

/* up, overloaded or down as the lookup sees it now; removed if unlinked. */
static const char *wmh_export_dest_state(const struct ip_vs_dest *dest,
					 int weight)
{
	if (!wmh_compat_dest_available(dest))
		return "removed";
	switch (wmh_dest_state_of(weight, true,
				  wmh_compat_dest_overloaded(dest))) {
	case WMH_DEST_UP:
		return "up";
	case WMH_DEST_OVERLOADED:
		return "overloaded";
	default:
		return "down";
	}
}

static void wmh_export_dest(struct seq_file *m, const struct wmh_state *st,
			    u32 i)
{
	const struct ip_vs_dest *dest = st->dest[i];
	int weight = atomic_read(&dest->weight);

	seq_printf(m, "dest %u addr=", i);
	if (dest->af == AF_INET6)
		seq_printf(m, "[%pI6c]:%u", &dest->addr.in6, ntohs(dest->port));
	else
		seq_printf(m, "%pI4:%u", &dest->addr.ip, ntohs(dest->port));
	seq_printf(m, " table_weight=%u weight=%d state=%s\n", st->spec[i].weight,
		   weight, wmh_export_dest_state(dest, weight));
}

static void wmh_export_slots(struct seq_file *m, const struct wmh_table *t)
{
	u32 s, idx;

	seq_printf(m, "slots %u\n", t->size);
	for (s = 0; s < t->size; s++) {
		if (s % WMH_SLOTS_PER_LINE == 0) {
			/* Give up early: seq_file retries with a larger buffer. */
			if (seq_has_overflowed(m))
				return;
			if (s)
				seq_putc(m, '\n');
			seq_put_decimal_ull(m, "", s);
			seq_putc(m, ':');
		}
		idx = wmh_table_slot(t, s);
		if (idx == WMH_NO_DEST)
			seq_puts(m, " -");
		else
			seq_put_decimal_ull(m, " ", idx);
	}
	seq_putc(m, '\n');
}

static int wmh_export_show(struct seq_file *m, void *v)
{
	struct wmh_service *ws = m->private;
	const struct ip_vs_service *svc = ws->svc;
	unsigned int flags = READ_ONCE(svc->flags);
	const struct wmh_state *st;
	u32 i;

	mutex_lock(&ws->lock);
	st = rcu_dereference_protected(ws->state, lockdep_is_held(&ws->lock));
	seq_puts(m, WMH_EXPORT_HEADER "\n");
	seq_printf(m, "sched_name %s\n", wmh_info.sched_name);
	seq_printf(m, "netns %u\n", wmh_netns(svc));
	wmh_export_service(m, svc);
	seq_printf(m, "flags 0x%x\n", flags);
	seq_printf(m, "port_hash %d\n",
		   (flags & WMH_SVC_F_PORT) || wmh_info.port_hash);
	seq_printf(m, "overflow %d\n", wmh_overflow(flags, wmh_info.overflow));
	seq_printf(m, "table_size %u\n", st->table.size);
	seq_printf(m, "hash_key_fingerprint %08x\n", wmh_info.key_fingerprint);
	seq_printf(m, "generation %llu\n", st->generation);
	if (ws->last_err)
		seq_printf(m, "last_error %d %s\n", ws->last_err,
			   ws->last_reason);
	else
		seq_puts(m, "last_error 0\n");
	seq_printf(m, "failed_rebuilds %llu\n", ws->failed);
	seq_printf(m, "dests %u\n", st->ndests);
	for (i = 0; i < st->ndests; i++)
		wmh_export_dest(m, st, i);
	wmh_export_slots(m, &st->table);
	seq_puts(m, "end\n");
	mutex_unlock(&ws->lock);
	return 0;
}

/*
 * The rendered size, near enough that seq_file rarely has to retry: the
 * header, a line per dest, per slot its index and a blank, and a line
 * number per line of slots.
 */
static size_t wmh_export_size(struct wmh_service *ws)
{
	const struct wmh_state *st;
	size_t n, size, max, digits = 1;

	mutex_lock(&ws->lock);
	st = rcu_dereference_protected(ws->state, lockdep_is_held(&ws->lock));
	n = st->ndests;
	size = st->table.size;
	mutex_unlock(&ws->lock);
	for (max = n ? n - 1 : 0; max >= 10; max /= 10)
		digits++;
	return 1024 + n * 96 + size * (digits + 1) +
	       (size / WMH_SLOTS_PER_LINE + 1) * 10;
}

static int wmh_export_open(struct inode *inode, struct file *file)
{
	struct wmh_service *ws = inode->i_private;

	return single_open_size(file, wmh_export_show, ws,
				wmh_export_size(ws));
}

static const struct file_operations wmh_export_fops = {
	.owner = THIS_MODULE,
	.open = wmh_export_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

void wmh_debugfs_add(struct wmh_service *ws)
{
	char name[WMH_EXPORT_NAME_LEN];

	ws->export = NULL;
	if (IS_ERR_OR_NULL(wmh_debugfs_dir))
		return;
	wmh_export_name(name, sizeof(name), ws->svc);
	ws->export = debugfs_create_file(name, 0400, wmh_debugfs_dir, ws,
					 &wmh_export_fops);
	if (IS_ERR(ws->export))
		pr_info_ratelimited("%s: no table export (%ld)\n", name,
				    PTR_ERR(ws->export));
}

void wmh_debugfs_remove(struct wmh_service *ws)
{
	debugfs_remove(ws->export);
	ws->export = NULL;
}

void wmh_debugfs_init(const struct wmh_export_info *info)
{
	wmh_info = *info;
	wmh_debugfs_dir = debugfs_create_dir("ip_vs_" WMH_KIND, NULL);
	if (IS_ERR(wmh_debugfs_dir))
		pr_info("no table export: debugfs directory not created (%ld)\n",
			PTR_ERR(wmh_debugfs_dir));
}

void wmh_debugfs_exit(void)
{
	debugfs_remove(wmh_debugfs_dir);
	wmh_debugfs_dir = NULL;
}
