#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipvs-sim whatif on a saved ip_vs_conn:
#   whatif.sh IPVS_SIM
# a deleted dest breaks exactly its TCP entries, and its UDP entries are
# rescheduled under expire_nodest_conn=1; a no-op change reports no
# service; the JSON carries the same counts; --list gives every entry its
# verdict, the same as the counts; fwmark services' entries are found
# through --marks; a --timeline's edits that share a time stamp are one
# change, and later changes see the table the earlier ones left; a change
# naming an unknown dest or no change at all is an error (exit 1 with the
# place).
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
# --list: every entry, in the order read, with the verdict the counts give.
out=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --edit '-d -t 10.0.0.1:80 -r 192.168.1.2:80' --list)
[ "$(grep -c '^conn ' <<<"$out")" = 12 ] || fail "--list lines: $out"
[ "$(grep -c '^conn breaks TCP .* 192.168.1.2:80 -t 10.0.0.1:80$' <<<"$out")" = 3 ] || fail "--list breaks: $out"
grep '^conn breaks' <<<"$out" | grep -qv '192.168.1.2:80 ' && fail "a kept dest's entry breaks: $out"
[ "$(grep -c '^conn stays UDP' <<<"$out")" = 6 ] || fail "--list: the UDP service's entries stay: $out"
out=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --sysctl expire_nodest_conn=1 \
	--edit '-d -u 10.0.0.1:53 -r 192.168.1.2:53' --list --json)
python3 -c '
import json, sys
j = json.load(sys.stdin)
c = j["connections"]
assert len(c) == 12, len(c)
n = {}
for x in c:
    n[x["verdict"]] = n.get(x["verdict"], 0) + 1
    if x["verdict"] == "rescheduled":
        assert x["dest"] == "192.168.1.2:53" and x["to"] == "192.168.1.1:53", x
s = j["services"][0]
assert n.get("rescheduled") == s["rescheduled"] == 3, n
assert n.get("stays") == 9, n
' <<<"$out" || fail "--list --json: $out"

# fwmark: the entries to 10.0.0.7 are the -f 7 service's through --marks.
cat >"$tmp/fw-rules" <<'CONF'
-A -f 7 -s wmh
-a -f 7 -r 192.168.1.1 -m -w 1
-a -f 7 -r 192.168.1.2 -m -w 1
CONF
echo "7 tcp 10.0.0.7:80" >"$tmp/marks"
sed 's/ 0A000001 0050 / 0A000007 0050 /' "$tmp/conns" >"$tmp/fw-conns"
out=$("$sim" whatif -c "$tmp/fw-rules" --conns "$tmp/fw-conns" --marks "$tmp/marks" \
	--edit '-d -f 7 -r 192.168.1.2' --list)
grep -q '^-f 7 (wmh): 6 connections: 3 break, 0 rescheduled, 3 stay' <<<"$out" || fail "fwmark: $out"
[ "$(grep -c '^conn no-service UDP' <<<"$out")" = 6 ] || fail "fwmark: UDP is not marked: $out"
out=$("$sim" whatif -q -c "$tmp/fw-rules" --conns "$tmp/fw-conns" --edit '-d -f 7 -r 192.168.1.2')
grep -q '12 of no service' <<<"$out" || fail "fwmark without --marks: $out"

# A timeline: the two deletes at 10 s are one change, the reweight at 20 s
# another, judged against what the first left.
printf '%s\n' '10 -d -t 10.0.0.1:80 -r 192.168.1.2:80' '10 -d -u 10.0.0.1:53 -r 192.168.1.1:53' \
	'20 -e -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 5' >"$tmp/timeline"
out=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --timeline "$tmp/timeline" --json)
python3 -c '
import json, sys
ch = json.load(sys.stdin)["changes"]
assert [c["edits"] for c in ch] == [2, 1], ch
assert [c["time"] for c in ch] == [10, 20], ch
assert sorted(s["broken"] for s in ch[0]["services"]) == [3, 3], ch[0]
assert ch[1]["entries"] == 6, ch[1]["entries"]  # the 6 broken are gone
' <<<"$out" || fail "timeline changes: $out"
out=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --timeline "$tmp/timeline" --per-edit)
[ "$(grep -c '^== change ' <<<"$out")" = 3 ] || fail "--per-edit: $out"
if err=$("$sim" whatif -c "$tmp/rules" --conns "$tmp/conns" --timeline "$tmp/timeline" --edit '-D -t 10.0.0.1:80' 2>&1); then
	fail "--timeline with --edit accepted"
fi
# Without --config the configuration is the live one, over netlink: on a
# host without IPVS (this one, and CI's) that is said, and nothing else.
if [ ! -e /proc/net/ip_vs ]; then
	if err=$("$sim" whatif --conns "$tmp/conns" --edit '-d -t 10.0.0.1:80 -r 192.168.1.2:80' 2>&1); then
		fail "whatif without --config and without IPVS succeeded: $err"
	fi
	grep -q '^whatif: live configuration: .*IPVS' <<<"$err" || fail "live configuration: $err"
fi
echo "whatif.sh: ok"
