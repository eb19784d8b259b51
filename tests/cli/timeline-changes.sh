#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# compare and replay count the timeline edits of one service that share a
# time stamp as one change:
#   timeline-changes.sh IPVS_SIM
# 12 of 60 servers reweighted at 5 s, one more at 8 s and an edit of
# another service at 5 s: three changes in summary.json (the first with 12
# edits, "12 edits of -t 10.0.0.1:80"), fourteen with --per-edit, each of
# one edit; the grouped change's ideal remap is that of the 12 at once.
set -euo pipefail
sim=${1:?usage: timeline-changes.sh IPVS_SIM}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "timeline-changes.sh: $*" >&2; exit 1; }

{
	echo "-A -t 10.0.0.1:80 -s wmh"
	for i in $(seq 1 60); do echo "-a -t 10.0.0.1:80 -r 192.168.1.$i:80 -m -w 1"; done
	echo "-A -t 10.0.0.2:80 -s rr"
	echo "-a -t 10.0.0.2:80 -r 192.168.2.1:80 -m -w 1"
} >"$tmp/rules"
{
	for i in $(seq 1 12); do echo "5 -e -t 10.0.0.1:80 -r 192.168.1.$i:80 -m -w 3"; done
	echo "5 -e -t 10.0.0.2:80 -r 192.168.2.1:80 -m -w 2"
	echo "8 -e -t 10.0.0.1:80 -r 192.168.1.40:80 -m -w 2"
} >"$tmp/timeline"
"$sim" generate -o "$tmp/trace" -n 3000 -r 300 --vip 10.0.0.1:80 --vip 10.0.0.2:80 --udp-fraction 0
for mode in grouped per-edit; do
	args=()
	[ "$mode" = grouped ] || args=(--per-edit)
	"$sim" -q replay -c "$tmp/rules" -T "$tmp/trace" -t "$tmp/timeline" "${args[@]}" \
		--out "$tmp/$mode" --no-plots >/dev/null
done
python3 - "$tmp/grouped/summary.json" "$tmp/per-edit/summary.json" <<'PY' || fail "summary.json events"
import json, sys
def events(path):
    j = json.load(open(path))
    runs = j["runs"] if "runs" in j else [j]
    return runs[0]["events"]
g, p = events(sys.argv[1]), events(sys.argv[2])
assert [e["edits"] for e in g] == [12, 1, 1], [(e["event"], e["edits"]) for e in g]
assert g[0]["event"] == "12 edits of -t 10.0.0.1:80", g[0]
assert g[0]["time"] == 5 and g[2]["time"] == 8, g
# 12 shares of 1/60 become 3/84: the ideal share moved of the one change.
assert abs(g[0]["ideal_remap"] - (12 * 3 / 84 - 12 / 60)) < 1e-9, g[0]
assert len(p) == 14 and all(e["edits"] == 1 for e in p), [(e["event"], e["edits"]) for e in p]
PY
echo "timeline-changes.sh: ok"
