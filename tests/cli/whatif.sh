#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipvs-sim whatif on a saved ip_vs_conn:
#   whatif.sh IPVS_SIM
# a deleted dest breaks exactly its TCP entries, and its UDP entries are
# rescheduled under expire_nodest_conn=1; a no-op change reports no
# service; the JSON carries the same counts; a change naming an unknown
# dest or no change at all is an error (exit 1 with the place).
set -euo pipefail
sim=${1:?usage: whatif.sh IPVS_SIM}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "whatif.sh: $*" >&2; exit 1; }

cat >"$tmp/rules" <<'CONF'
-A -t 10.0.0.1:80 -s wmh
-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1
-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m -w 1
-A -u 10.0.0.1:53 -s wmh
-a -u 10.0.0.1:53 -r 192.168.1.1:53 -m -w 1
-a -u 10.0.0.1:53 -r 192.168.1.2:53 -m -w 1
CONF
{
	echo "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData"
	for i in 1 2 3 4 5 6; do
		echo "TCP 0B00000$i 1F4$i 0A000001 0050 C0A8010$(((i % 2) + 1)) 0050 ESTABLISHED 800"
		echo "UDP 0C00000$i 1F4$i 0A000001 0035 C0A8010$(((i % 2) + 1)) 0035 UDP 200"
	done
} >"$tmp/conns"

out=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --edit '-d -t 10.0.0.1:80 -r 192.168.1.2:80' --list-broken)
grep -q '6 connections: 3 break, 0 rescheduled, 3 stay' <<<"$out" || fail "tcp delete: $out"
[ "$(grep -c '^broken TCP' <<<"$out")" = 3 ] || fail "broken list: $out"

out=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --sysctl expire_nodest_conn=1 \
	--edit '-d -u 10.0.0.1:53 -r 192.168.1.2:53' --json)
python3 -c 'import json,sys; s=json.load(sys.stdin)["services"][0]; assert (s["broken"],s["rescheduled"],s["stayed"])==(0,3,3), s' <<<"$out" ||
	fail "udp delete json: $out"

out=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --edit '-e -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1')
grep -q '^-t' <<<"$out" && fail "no-op change reported a service: $out"

printf '# one change\n-e -t 10.0.0.1:80 -r 192.168.1.9:80 -w 2\n' >"$tmp/change"
if err=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --change "$tmp/change" 2>&1); then
	fail "unknown dest accepted"
fi
grep -q "change:2" <<<"$err" || fail "no file:line in: $err"
if err=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" 2>&1); then fail "no change accepted"; fi
grep -q "no change given" <<<"$err" || fail "no change: $err"
echo "whatif.sh: ok"
