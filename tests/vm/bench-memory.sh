#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel memory per IPVS service, in one boot of the 6.1 guest (a bench, not part of make check):
#   bench-memory.sh --kmod-dir DIR --flowgen BIN --out DIR [--kver KVER] [--services N] [--plan FILE]
# restores N (default 5000) TCP services of 2 to 8 servers with ipvsadm -R under each setting of
# the plan (default: rr, wmh table_size 4093, 16381 and the default 65537, in-tree mh) and writes
# OUT/memory.txt (guest's /proc/meminfo deltas) and OUT/memory-summary.txt (per service).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
kver=$(vm_kver 6.1)
kdir=
flowgen=
out=
services=5000
plan=
while [ $# -gt 0 ]; do
	case $1 in
	--kmod-dir) kdir=${2:?}; shift 2 ;;
	--flowgen) flowgen=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--kver) kver=${2:?}; shift 2 ;;
	--services) services=${2:?}; shift 2 ;;
	--plan) plan=${2:?}; shift 2 ;;
	*) sed -n '4,8p' "$0" >&2; exit 2 ;;
	esac
done
if [ -z "$kdir" ] || [ -z "$flowgen" ] || [ -z "$out" ] || [ -z "$kver" ]; then
	sed -n '4,8p' "$0" >&2
	exit 2
fi
mkdir -p "$out/payload/memory" "$out/payload/flows" "$out/payload/cmds"
out=$(realpath "$out")
echo memory >"$out/payload/plan"
# NAME SCHED [ip_vs_wmh PARAM...], or "check A <= B". The first rr run
# grows IPVS's own slab caches once (its growth is IPVS's own cost per
# service: service, dests, stats), so that the runs after it measure the
# scheduler's part alone and compare alike (the second rr run shows ~0).
if [ -n "$plan" ]; then
	cp "$plan" "$out/payload/memory/plan"
else
	cat >"$out/payload/memory/plan" <<-EOF
	warmup rr
	rr rr
	wmh-4093 wmh table_size=4093
	wmh-16381 wmh table_size=16381
	mh mh
	check wmh-4093 <= mh
	wmh-65537 wmh table_size=65537
	EOF
fi
# Services 10.16.0.0/12:80, each with 2 to 8 servers of its own (weights 1..100) in NAT mode,
# as a kube-proxy node has them; the same file (seed 8) every run.
awk -v n="$services" 'BEGIN {
	srand(8)
	k = 0
	for (i = 0; i < n; i++) {
		vip = sprintf("10.%d.%d.%d:80", 16 + int(i / 65536), int(i / 256) % 256, i % 256)
		print "-A -t " vip " -s SCHED"
		nd = 2 + int(rand() * 7)
		for (j = 0; j < nd; j++) {
			printf "-a -t %s -r 172.%d.%d.%d:8080 -m -w %d\n", vip, 16 + int(k / 65536),
				int(k / 256) % 256, k % 256, 1 + int(rand() * 100)
			k++
		}
	}
}' >"$out/payload/memory/services.ipvsadm"
t0=$(date +%s)
status=0
vm_boot "$kver" "$out" "$kdir" "$flowgen" --timeout 3000 --mem 3G || status=$?
echo "bench-memory.sh: guest ran $(($(date +%s) - t0)) s"
cp "$out/$kver/files/memory.txt" "$out/memory.txt" 2>/dev/null ||
	grep '^RESULT memory-' "$out/$kver/channel.log" >&2 || true
[ -f "$out/memory.txt" ] || exit 1
# Per service: Slab and VmallocUsed growth, in KiB. (memory.txt also has
# MemFree's drop, which moves with the page allocator's per-CPU lists too.)
awk '
	/^# services/ { print; next }
	/^#/ { next }
	!hdr++ { printf "%-10s %12s %12s %12s %10s\n", "setting", "Slab/svc", "Vmalloc/svc", "sum/svc", "restore s" }
	{ printf "%-10s %12.1f %12.1f %12.1f %10s\n", $1, $7 / $5, $9 / $5, ($7 + $9) / $5, $4 }
' "$out/memory.txt" | tee "$out/memory-summary.txt"
grep -h '^RESULT memory-check' "$out/$kver/results.txt" || true
exit "$status"
