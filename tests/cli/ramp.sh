#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipvs-sim ramp, dry runs on rules files (wmh, mh and hrw services):
#   ramp.sh IPVS_SIM
# every step of a plan moves at most --max-remap (text and JSON) unless it
# is marked over the bound; the printed edit lines, applied to the rules in
# order, give the target; a dest added to three of weight 1 is a step of
# its own, over the bound, named; '5' and '5%' are the same bound; an rr
# service to change, a service edit, --apply with --config and a bad bound
# are refused with a message and exit 1.
set -euo pipefail
sim=${1:?usage: ramp.sh IPVS_SIM}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "ramp.sh: $*" >&2; exit 1; }

cat >"$tmp/rules" <<'CONF'
-A -t 10.0.0.1:80 -s wmh
-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 100
-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m -w 100
-a -t 10.0.0.1:80 -r 192.168.1.3:80 -m -w 100
-a -t 10.0.0.1:80 -r 192.168.1.4:80 -m -w 100
-A -u 10.0.0.2:53 -s mh -b mh-port
-a -u 10.0.0.2:53 -r 192.168.2.1:53 -m -w 1
-a -u 10.0.0.2:53 -r 192.168.2.2:53 -m -w 1
-a -u 10.0.0.2:53 -r 192.168.2.3:53 -m -w 1
-A -u 10.0.0.3:53 -s rr
-a -u 10.0.0.3:53 -r 192.168.3.1:53 -m -w 1
-A -t 10.0.0.4:80 -s hrw
-a -t 10.0.0.4:80 -r 192.168.4.1:80 -m -w 10
-a -t 10.0.0.4:80 -r 192.168.4.2:80 -m -w 10
-a -t 10.0.0.4:80 -r 192.168.4.3:80 -m -w 10
-a -t 10.0.0.4:80 -r 192.168.4.4:80 -m -w 10
CONF
cat >"$tmp/change" <<'CHANGE'
# reweight, add and remove
-e -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 250
-d -t 10.0.0.1:80 -r 192.168.1.4:80
-a -t 10.0.0.1:80 -r 192.168.1.5:80 -m -w 80
-a -u 10.0.0.2:53 -r 192.168.2.4:53 -m -w 1
-e -t 10.0.0.4:80 -r 192.168.4.2:80 -m -w 30
-d -t 10.0.0.4:80 -r 192.168.4.3:80
CHANGE

# Sorted rules of a configuration, as ipvs-sim reads it.
canon() { "$sim" config -c "$1" | sort; }

out=$("$sim" ramp -c "$tmp/rules" --change "$tmp/change")
steps=$(grep -c '^step ' <<<"$out")
[ "$steps" -ge 5 ] || fail "a 28% reweight in $steps steps: $out"
awk '/ moves / && !/OVER THE BOUND/ { v = $4; sub(/%/, "", v); if (v + 0 > 5) bad = bad $0 "\n" }
	END { if (bad != "") { printf "%s", bad; exit 1 } }' <<<"$out" ||
	fail "a step over 5% not marked"
grep -q 'OVER THE BOUND: -a -u 10.0.0.2:53 -r 192.168.2.4:53 -m -w 1 alone moves' <<<"$out" ||
	fail "the mh dest added to three of weight 1 is not reported: $out"
# The steps, applied in order, reach the target.
{
	cat "$tmp/rules"
	sed -n 's/^    \(-[aed] \)/\1/p' <<<"$out"
} >"$tmp/applied"
{
	cat "$tmp/rules"
	grep -v '^#' "$tmp/change"
} >"$tmp/target"
diff <(canon "$tmp/applied") <(canon "$tmp/target") >"$tmp/diff" || fail "the steps do not reach the target: $(cat "$tmp/diff")"

# JSON: the same steps; every share within the bound or marked.
json=$("$sim" ramp -c "$tmp/rules" --change "$tmp/change" --json --max-remap 5)
python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["max_remap"] == 0.05, j["max_remap"]
assert len(j["steps"]) == int(sys.argv[1]), len(j["steps"])
for st in j["steps"]:
    for s in st["services"]:
        assert s["over_bound"] or s["remap"] <= j["max_remap"], s
        assert (s["why"] is not None) == s["over_bound"], s
        assert s["edits"], s
' "$steps" <<<"$json" || fail "json: $json"
[ "$("$sim" ramp -c "$tmp/rules" --change "$tmp/change" --max-remap 5%)" = "$out" ] ||
	fail "--max-remap 5% differs from the default"
# A wider bound, fewer steps.
wide=$("$sim" ramp -c "$tmp/rules" --change "$tmp/change" --max-remap 20 | grep -c '^step ')
[ "$wide" -lt "$steps" ] || fail "20% takes $wide steps, 5% $steps"
# A target file means the same as the edits.
[ "$("$sim" ramp -c "$tmp/rules" --target "$tmp/target")" = "$out" ] || fail "--target differs from --change"

expect_fail() { # expect_fail PATTERN ARGS...
	local pat=$1 err
	shift
	if err=$("$sim" ramp -c "$tmp/rules" "$@" 2>&1); then fail "accepted: $*"; fi
	grep -q -- "$pat" <<<"$err" || fail "$*: no '$pat' in: $err"
}
expect_fail 'scheduler rr has no hash space' --edit '-e -u 10.0.0.3:53 -r 192.168.3.1:53 -m -w 3'
expect_fail '--edit:1: ramp takes real-server edits' --edit '-E -t 10.0.0.1:80 -s mh'
expect_fail 'unknown real server' --edit '-d -t 10.0.0.1:80 -r 192.168.1.9:80'
expect_fail '--apply plans from the live configuration' --apply --change "$tmp/change"
expect_fail "not a share" --max-remap 0 --change "$tmp/change"
expect_fail "not a share" --max-remap 150% --change "$tmp/change"
expect_fail "no change given" --change /dev/null
echo "ramp.sh: ok"
