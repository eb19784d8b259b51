#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A timing run of ipvs-sim whatif on a table of a million entries (issue 11:
# "1M connection entries in about a second"), not a timed test:
#   bench/whatif-1m.sh [--sim BIN] [--entries N] [--out FILE]
# Writes rules of one TCP wmh service of 100 servers and one UDP wmh
# service of 50, and an ip_vs_conn of N entries (default 1,000,000; three
# quarters TCP ESTABLISHED, the rest UDP) spread over them, then times
# whatif (the fastest of three runs: wall and CPU time) on a change that
# deletes one server of each and reweights another: the table report,
# --json, and --json --list (every entry's verdict). Prints, and with --out
# appends to FILE, one line per run. Documentation/performance.rst has the
# figures.
set -euo pipefail

sim=build/sim/ipvs-sim
n=1000000
out=
while [[ $# -gt 0 ]]; do
	case "$1" in
	--sim) sim=$2; shift 2 ;;
	--entries) n=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h | --help) sed -n '4,13p' "$0"; exit 0 ;;
	*) echo "whatif-1m.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -x "$sim" ] || { echo "whatif-1m.sh: no $sim (cmake --build build --target ipvs-sim)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
	echo "-A -t 10.0.0.1:80 -s wmh"
	for i in $(seq 1 100); do echo "-a -t 10.0.0.1:80 -r 192.168.1.$i:8080 -m -w $((i % 7 + 1))"; done
	echo "-A -u 10.0.0.2:53 -s wmh"
	for i in $(seq 1 50); do echo "-a -u 10.0.0.2:53 -r 192.168.2.$i:53 -m -w 1"; done
} >"$tmp/rules"
printf '%s\n' "-d -t 10.0.0.1:80 -r 192.168.1.7:8080" "-e -t 10.0.0.1:80 -r 192.168.1.8:8080 -m -w 20" \
	"-d -u 10.0.0.2:53 -r 192.168.2.3:53" >"$tmp/change"
awk -v n="$n" 'BEGIN {
	print "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData"
	srand(1)
	for (i = 0; i < n; i++) {
		c = sprintf("%08X %04X", 184549376 + int(rand() * 16777216), 1024 + int(rand() * 60000))
		if (i % 4) printf "TCP %s 0A000001 0050 C0A801%02X 1F90 ESTABLISHED 899\n", c, 1 + i % 100
		else printf "UDP %s 0A000002 0035 C0A802%02X 0035 UDP         299\n", c, 1 + i % 50
	}
}' >"$tmp/conns"

# best CMD...: "WALL CPU" of the fastest of three runs, in seconds (CPU:
# user + system; on a loaded machine the wall time is the noisier one).
best() {
	local b='' t
	for _ in 1 2 3; do
		t=$(/usr/bin/time -f '%e %U %S' "$@" 2>&1 >/dev/null | tail -n 1)
		if [ -z "$b" ] || [ "$(echo "${t%% *} < ${b%% *}" | bc)" = 1 ]; then b=$t; fi
	done
	echo "$b" | awk '{ printf "%.2f s wall, %.2f s CPU", $1, $2 + $3 }'
}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
for mode in table json list; do
	args=()
	case $mode in json) args=(--json) ;; list) args=(--json --list) ;; esac
	t=$(best "$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --change "$tmp/change" \
		--sysctl expire_nodest_conn=1 "${args[@]}")
	line="$(date -u +%F) $commit whatif $n entries, $mode: $t (best of 3; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1 /proc/loadavg))"
	echo "$line"
	[ -z "$out" ] || echo "$line" >>"$out"
done
