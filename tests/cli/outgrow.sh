#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The outgrown table and predictions from the tables the kernel serves:
#   outgrow.sh IPVS_SIM TESTDATA
# TESTDATA is tools/ipvs-verify/testdata: exports saved from ip_vs_wmh on
# Debian's 6.1 (table_size=251 and the key of tests/vm/prepare-verify.sh).
#  - a wmh service of 252 servers for 251 slots (verify-enospc's rules):
#    predict says so once on stderr and exits 1 after printing every
#    prediction, 0 with --keep-going; every flow gets a dest; the
#    predictions equal those of the first 251 servers alone, and those of
#    predict --export with the kernel's own export of that service;
#  - drained servers (the storm's export): from the dump alone (weight 0,
#    last weight unknown) some flows differ; with --export every flow goes
#    where the rules with the export's table weights and then the drain
#    send it;
#  - a wrong --wmh-table-size or key, a truncated export and two exports of
#    one service are errors naming the file (and the line); --live without
#    a readable export says where it looked; --live and --export exclude
#    each other;
#  - compare and whatif say the same about the outgrown service and take
#    --export and --keep-going; whatif from the export: a reweight that
#    still does not fit moves no key, a deletion that makes it fit does.
set -euo pipefail
sim=${1:?usage: outgrow.sh IPVS_SIM TESTDATA}
data=${2:?usage: outgrow.sh IPVS_SIM TESTDATA}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "outgrow.sh: $*" >&2; exit 1; }
key=f0e1d2c3b4a5968778695a4b3c2d1e0f
mod=(--wmh-table-size 251 --wmh-hash-key "$key")

# verify-enospc (tests/vm/prepare-verify.sh).
{
	echo "-A -u 10.0.40.5:53 -s wmh"
	for i in $(seq 1 252); do
		echo "-a -u 10.0.40.5:53 -r 172.29.$((i / 200)).$((i % 200 + 1)):53 -m -w $((i % 7 + 1))"
	done
} >"$tmp/enospc.rules"
head -n 252 "$tmp/enospc.rules" >"$tmp/first251.rules"
for i in $(seq 1 3000); do
	echo "1 udp 10.99.$((i / 250)).$((i % 250 + 1)):$((20000 + i)) 10.0.40.5:53"
done >"$tmp/enospc.flows"
mkdir -p "$tmp/export" "$tmp/storm"
cp "$data/6.1-enospc.export" "$tmp/export/4026532125-udp-10.0.40.5-53"
cp "$data/6.1-storm-udp-10.0.40.1-53.export" "$tmp/storm/4026532125-udp-10.0.40.1-53"

want="ipvs-sim: udp 10.0.40.5:53: 252 servers, 251 slots: the kernel keeps the table of the first 251 (raise table_size)"
status=0
"$sim" "${mod[@]}" predict -c "$tmp/enospc.rules" -f "$tmp/enospc.flows" >"$tmp/model" 2>"$tmp/err" || status=$?
[ "$status" -eq 1 ] || fail "predict of 252 servers for 251 slots exited $status, not 1: $(cat "$tmp/err")"
[ "$(grep -cxF "$want" "$tmp/err")" -eq 1 ] || fail "not said once: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/model")" -eq 3000 ] || fail "exit 1 but not after the work: $(wc -l <"$tmp/model") predictions"
if awk '$3 == "-"' "$tmp/model" | grep -q .; then fail "flows without a dest: $(awk '$3 == "-"' "$tmp/model" | head -3)"; fi
[ "$(awk '{ print $3 }' "$tmp/model" | sort -u | wc -l)" -gt 200 ] || fail "too few dests used"
if awk '{ print $3 }' "$tmp/model" | grep -qx '172.29.1.53:53'; then
	fail "the 252nd server got flows: the kernel has no slot for it"
fi
"$sim" "${mod[@]}" predict -c "$tmp/enospc.rules" -f "$tmp/enospc.flows" --keep-going >"$tmp/kept" 2>"$tmp/err" ||
	fail "--keep-going exited non-zero: $(cat "$tmp/err")"
grep -qxF "$want" "$tmp/err" || fail "--keep-going: not said: $(cat "$tmp/err")"
cmp -s "$tmp/model" "$tmp/kept" || fail "--keep-going changed the predictions"
"$sim" "${mod[@]}" predict -c "$tmp/first251.rules" -f "$tmp/enospc.flows" >"$tmp/first" 2>"$tmp/err" ||
	fail "251 servers for 251 slots: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || fail "251 servers for 251 slots: said $(cat "$tmp/err")"
cmp -s "$tmp/model" "$tmp/first" || fail "the model is not the table of the first 251 servers"
"$sim" "${mod[@]}" predict -c "$tmp/enospc.rules" -f "$tmp/enospc.flows" --export "$tmp/export" \
	--keep-going >"$tmp/exported" 2>"$tmp/err" || fail "predict --export: $(cat "$tmp/err")"
cmp -s "$tmp/model" "$tmp/exported" || fail "the model differs from the kernel's export: $(diff "$tmp/model" "$tmp/exported" | head -5)"
grep -qF "the kernel serves the table in $tmp/export/4026532125-udp-10.0.40.5-53" "$tmp/err" ||
	fail "--export: the message does not name the export: $(cat "$tmp/err")"
grep -qF "the kernel serves an old table (its last rebuild failed: -28 252 servers, 251 slots)" "$tmp/err" ||
	fail "--export: no note on the old table: $(cat "$tmp/err")"

# Drained servers: rules as a dump shows them (drained at -w 0), and the
# same rules with the export's table weights then drained on a timeline.
awk '$1 == "dest" { split($3, a, "="); split($4, tw, "="); split($5, w, "=")
		line[n++] = a[2] " " tw[2] " " w[2] }
	END { for (i = n - 1; i >= 0; i--) print line[i] }' \
	"$tmp/storm/4026532125-udp-10.0.40.1-53" >"$tmp/storm.dests"
grep -q ' 0$' "$tmp/storm.dests" || fail "the storm's export has no drained server"
{
	echo "-A -u 10.0.40.1:53 -s wmh"
	awk '{ print "-a -u 10.0.40.1:53 -r " $1 " -m -w " $3 }' "$tmp/storm.dests"
} >"$tmp/dump.rules"
{
	echo "-A -u 10.0.40.1:53 -s wmh"
	awk '{ print "-a -u 10.0.40.1:53 -r " $1 " -m -w " $2 }' "$tmp/storm.dests"
} >"$tmp/history.rules"
awk '$3 == 0 { print "0 -e -u 10.0.40.1:53 -r " $1 " -m -w 0" }' "$tmp/storm.dests" >"$tmp/drain.timeline"
sed 's/10.0.40.5:53/10.0.40.1:53/' "$tmp/enospc.flows" >"$tmp/storm.flows"
"$sim" "${mod[@]}" predict -c "$tmp/dump.rules" -f "$tmp/storm.flows" >"$tmp/dump" 2>"$tmp/err" ||
	fail "predict of the dump: $(cat "$tmp/err")"
"$sim" "${mod[@]}" predict -c "$tmp/dump.rules" -f "$tmp/storm.flows" --export "$tmp/storm" \
	>"$tmp/served" 2>"$tmp/err" || fail "predict --export of the storm: $(cat "$tmp/err")"
"$sim" "${mod[@]}" predict -c "$tmp/history.rules" -t "$tmp/drain.timeline" -f "$tmp/storm.flows" \
	>"$tmp/history" 2>"$tmp/err" || fail "predict of the history: $(cat "$tmp/err")"
cmp -s "$tmp/served" "$tmp/history" || fail "--export differs from the drain of the export's weights: $(diff "$tmp/served" "$tmp/history" | head -5)"
moved=$(paste -d' ' "$tmp/dump" "$tmp/served" | awk '$3 != $6' | wc -l)
[ "$moved" -gt 0 ] || fail "the dump alone predicts every flow as the export does: the test cannot tell"
drained=$(awk '$3 == 0 { print $1 }' "$tmp/storm.dests")
if grep -qxF -f <(echo "$drained") <(awk '{ print $3 }' "$tmp/served"); then fail "a drained server got a new flow"; fi

# Errors name the file (and the line).
exp=$tmp/export/4026532125-udp-10.0.40.5-53
if err=$("$sim" --wmh-table-size 257 --wmh-hash-key "$key" predict -c "$tmp/enospc.rules" \
	-f "$tmp/enospc.flows" --export "$tmp/export" 2>&1 >/dev/null); then fail "another table size accepted"; fi
grep -qF "$exp: table_size 251, but --wmh-table-size is 257" <<<"$err" || fail "table size: $err"
if err=$("$sim" --wmh-table-size 251 predict -c "$tmp/enospc.rules" -f "$tmp/enospc.flows" \
	--export "$tmp/export" 2>&1 >/dev/null); then fail "another key accepted"; fi
grep -qF "$exp: hash key fingerprint" <<<"$err" || fail "key: $err"
mkdir "$tmp/cut"
head -n 100 "$exp" >"$tmp/cut/x"
if err=$("$sim" "${mod[@]}" predict -c "$tmp/enospc.rules" -f "$tmp/enospc.flows" \
	--export "$tmp/cut" 2>&1 >/dev/null); then fail "a truncated export accepted"; fi
grep -qE "^$tmp/cut/x: line [0-9]+: " <<<"$err" || fail "truncated: $err"
cp "$exp" "$tmp/export/4026532999-udp-10.0.40.5-53"
if err=$("$sim" "${mod[@]}" predict -c "$tmp/enospc.rules" -f "$tmp/enospc.flows" \
	--export "$tmp/export" 2>&1 >/dev/null); then fail "two exports of one service accepted"; fi
grep -qF "a second export of udp 10.0.40.5:53" <<<"$err" || fail "two exports: $err"
rm "$tmp/export/4026532999-udp-10.0.40.5-53"

# --live reads this namespace's files of the live export; without them
# (not root, no debugfs, no module) it says where it looked. Never both.
if [ ! -r /sys/kernel/debug/ip_vs_wmh ]; then
	if err=$("$sim" "${mod[@]}" predict -c "$tmp/enospc.rules" -f "$tmp/enospc.flows" --live 2>&1 >/dev/null); then
		fail "--live without a readable export succeeded"
	fi
	grep -qF "/sys/kernel/debug/ip_vs_wmh: " <<<"$err" && grep -qF "as root, with debugfs mounted" <<<"$err" ||
		fail "--live: $err"
fi
if "$sim" "${mod[@]}" predict -c "$tmp/enospc.rules" -f "$tmp/enospc.flows" --live \
	--export "$tmp/export" >/dev/null 2>&1; then fail "--live with --export accepted"; fi

# compare and whatif.
status=0
"$sim" "${mod[@]}" compare -c "$tmp/enospc.rules" -T "$tmp/enospc.flows" -s wmh,rr --no-plots \
	--probe-keys 0 >"$tmp/compare" 2>"$tmp/err" || status=$?
[ "$status" -eq 1 ] && grep -qxF "$want" "$tmp/err" || fail "compare: exit $status: $(cat "$tmp/err")"
"$sim" "${mod[@]}" compare -c "$tmp/enospc.rules" -T "$tmp/enospc.flows" -s wmh --no-plots \
	--probe-keys 0 --export "$tmp/export" --keep-going >"$tmp/compare" 2>"$tmp/err" ||
	fail "compare --export --keep-going: $(cat "$tmp/err")"
echo "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData" >"$tmp/conns"
status=0
"$sim" "${mod[@]}" whatif -c "$tmp/enospc.rules" --conns "$tmp/conns" \
	--edit '-d -u 10.0.40.5:53 -r 172.29.0.2:53' >"$tmp/whatif" 2>"$tmp/err" || status=$?
[ "$status" -eq 1 ] && grep -qxF "$want" "$tmp/err" || fail "whatif: exit $status: $(cat "$tmp/err")"
"$sim" "${mod[@]}" whatif -c "$tmp/enospc.rules" --conns "$tmp/conns" --export "$tmp/export" \
	--keep-going --edit '-d -u 10.0.40.5:53 -r 172.29.0.2:53' >"$tmp/whatif" 2>"$tmp/err" ||
	fail "whatif --export --keep-going: $(cat "$tmp/err")"
# A reweight of the outgrown service does not fit either: the kernel keeps
# its table and no key moves; a deletion that makes it fit rebuilds.
"$sim" "${mod[@]}" whatif -c "$tmp/enospc.rules" --conns "$tmp/conns" --export "$tmp/export" \
	--keep-going --json --edit '-e -u 10.0.40.5:53 -r 172.29.0.2:53 -m -w 60' >"$tmp/whatif.json" 2>"$tmp/err" ||
	fail "whatif reweight: $(cat "$tmp/err")"
python3 -c 'import json,sys; s=json.load(sys.stdin)["services"][0]["schedulers"][0]; assert s["scheduler"]=="wmh" and s["hash_moved"]==0, s' \
	<"$tmp/whatif.json" || fail "a reweight that does not fit moved keys: $(cat "$tmp/whatif.json")"
"$sim" "${mod[@]}" whatif -c "$tmp/enospc.rules" --conns "$tmp/conns" --export "$tmp/export" \
	--keep-going --json --edit '-d -u 10.0.40.5:53 -r 172.29.0.2:53' >"$tmp/whatif.json" 2>"$tmp/err" ||
	fail "whatif delete: $(cat "$tmp/err")"
python3 -c 'import json,sys; s=json.load(sys.stdin)["services"][0]["schedulers"][0]; assert s["hash_moved"]>0, s' \
	<"$tmp/whatif.json" || fail "a deletion that makes it fit moved nothing: $(cat "$tmp/whatif.json")"
echo "outgrow.sh: ok"
