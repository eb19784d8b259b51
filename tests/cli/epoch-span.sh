#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory follows the live connections and the windows that hold data, not
# the span of the time axis:
#   epoch-span.sh IPVS_SIM
# replays (predict and replay, with a timeline) a handful of flows in Unix
# epoch seconds spread over a year, and the same flows squeezed into ten
# seconds; the year may use at most 4 MiB more peak memory than the ten
# seconds. A start time in milliseconds must be refused with file:line.
set -euo pipefail
sim=${1:?usage: epoch-span.sh IPVS_SIM}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/svc.conf" <<'CONF'
-A -t 10.0.0.1:80 -s wmh
-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1
-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m -w 2
CONF
t0=1796150000
# write SPAN: six flows and two weight changes over SPAN seconds from t0.
write() {
	local span=$1 i
	: >"$tmp/trace.$span"
	for i in 0 1 2 3 4 5; do
		echo "$((t0 + span * i / 5)).5 tcp 10.9.0.$((i + 1)):4000 10.0.0.1:80 30" >>"$tmp/trace.$span"
	done
	printf '%s -e -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 3\n%s -e -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1\n' \
		$((t0 + span / 3)) $((t0 + span * 2 / 3)) >"$tmp/tl.$span"
}
# peak SPAN CMD...: peak RSS (KiB) of ipvs-sim CMD on the SPAN files.
peak() {
	local span=$1
	shift
	python3 - "$sim" "$@" --config "$tmp/svc.conf" --timeline "$tmp/tl.$span" <<'PY'
import resource, subprocess, sys
args = sys.argv[1:]
r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
if r.returncode != 0:
    sys.exit("ipvs-sim failed: " + r.stderr.decode()[-500:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
year=$((366 * 86400))
write 10
write "$year"
fail=0
for cmd in predict replay; do
	if [ "$cmd" = predict ]; then
		a=(predict --flows)
	else
		a=(replay --window 60 --out "$tmp/out" --trace)
	fi
	small=$(peak 10 "${a[@]}" "$tmp/trace.10")
	big=$(peak "$year" "${a[@]}" "$tmp/trace.$year")
	echo "$cmd: peak ${small} KiB over 10 s, ${big} KiB over a year"
	if [ "$big" -gt $((small + 4096)) ]; then
		echo "FAIL: $cmd needs $((big - small)) KiB more for a year than for 10 s" >&2
		fail=1
	fi
done
echo "1796150000500 tcp 10.9.0.1:4000 10.0.0.1:80 1" >"$tmp/ms.trace"
if msg=$("$sim" predict --config "$tmp/svc.conf" --flows "$tmp/ms.trace" 2>&1); then
	echo "FAIL: a start time in milliseconds was accepted" >&2
	fail=1
elif [[ $msg != *"ms.trace:1: start time 1796150000500 is beyond"* ]]; then
	echo "FAIL: unexpected message: $msg" >&2
	fail=1
else
	echo "refused: $msg"
fi
exit $fail
