#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side verdicts on what one guest run collected:
#   compare.sh RUNDIR PAYLOAD --flowgen BIN (--sim BIN | --no-sim) [--max-report N]
# RUNDIR is run.sh's output, PAYLOAD prepare.sh's. For every burst the guest
# reported, the rules it dumped (in kernel order, see nosort-config.sh) and
# the burst's flow lists go to `ipvs-sim predict`, and `flowgen check` holds
# the prediction against the kernel's ip_vs_conn entries: every flow must
# agree. Also: two services with the same dests added in opposite orders
# must decide alike under wmh and differently under mh.
# Writes RUNDIR/compare/results.txt (RESULT lines) and, per burst, the
# config, flows, prediction and a report of the first mismatches there.
# SIM may also come from the environment. Exit status 0 only if all passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "compare.sh: $*" >&2
	exit 2
}

usage() {
	echo "usage: $0 RUNDIR PAYLOAD --flowgen BIN (--sim BIN | --no-sim) [--max-report N]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
run=$1
payload=$2
shift 2
sim=${SIM:-}
no_sim=0
flowgen=
max_report=20
while [ $# -gt 0 ]; do
	case $1 in
	--sim) sim=${2:?}; shift 2 ;;
	--no-sim) no_sim=1; shift ;;
	--flowgen) flowgen=${2:?}; shift 2 ;;
	--max-report) max_report=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
[ -f "$run/bursts.txt" ] || die "$run/bursts.txt not found: is $run a run.sh output directory?"
[ -d "$payload/flows" ] || die "$payload/flows not found: is $payload a prepare.sh output directory?"
[ -x "$flowgen" ] || die "flowgen not found at '$flowgen'"
if [ "$no_sim" -eq 0 ]; then
	[ -n "$sim" ] || die "no simulator: pass --sim PATH (or SIM=PATH), or --no-sim to only collect"
	[ -x "$sim" ] || die "simulator '$sim' is not executable"
fi

cmp=$run/compare
rm -rf "$cmp"
mkdir -p "$cmp"
results=$cmp/results.txt
: >"$results"

result() {
	echo "RESULT $*" >>"$results"
	echo "compare.sh: $*"
}

# order_check NAME EXPECT: both halves of the burst (VIP ports 80 and 81,
# same clients) agree for every client (EXPECT=same) or for not all of them
# (EXPECT=differ).
order_check() {
	local conn=$run/files/$1.conn summary
	summary=$(awk '
		NR > 1 && ($5 == "0050" || $5 == "0051") {
			key = $1 " " $2 " " $3
			if ($5 == "0050") a[key] = $6 " " $7; else b[key] = $6 " " $7
		}
		END {
			for (k in a) if (k in b) { both++; if (a[k] == b[k]) same++ }
			printf "%d %d\n", both, same
		}' "$conn")
	local both=${summary% *} same=${summary#* }
	if [ "$both" -eq 0 ]; then
		result "$1-order" FAIL "no client has entries for both services"
	elif [ "$2" = same ] && [ "$same" -eq "$both" ]; then
		result "$1-order" PASS "all $both clients got the same dest from both services"
	elif [ "$2" = differ ] && [ "$same" -lt "$both" ]; then
		result "$1-order" PASS "$((both - same)) of $both clients got different dests (mh depends on the order)"
	else
		result "$1-order" FAIL "$same of $both clients got the same dest, expected $2"
	fi
}

while read -r name lists table_size hash_key port_hash overflow; do
	conn=$run/files/$name.conn
	if [ ! -f "$conn" ] || [ ! -f "$run/files/$name.ln" ] || [ ! -f "$run/files/$name.sn" ]; then
		result "$name" FAIL "the guest did not return all files of the burst"
		continue
	fi
	if ! "$here/nosort-config.sh" "$run/files/$name.ln" "$run/files/$name.sn" \
		>"$cmp/$name.config" 2>"$cmp/$name.config.err"; then
		result "$name" FAIL "rules not understood: $(head -c 300 "$cmp/$name.config.err")"
		continue
	fi
	if [ -f "$run/files/$name.snap" ]; then
		if diff -u "$cmp/$name.config" "$run/files/$name.snap" >"$cmp/$name.snap.diff"; then
			result "$name-snapshot" PASS "ipvs-snapshot equals ipvsadm's rules in list order"
		else
			result "$name-snapshot" FAIL "ipvs-snapshot differs from ipvsadm: $cmp/$name.snap.diff"
		fi
	fi
	: >"$cmp/$name.flows"
	for l in ${lists//,/ }; do
		cat "$payload/flows/$l.flows" >>"$cmp/$name.flows"
	done
	case $name in
	order-wmh) order_check "$name" same ;;
	order-mh) order_check "$name" differ ;;
	esac
	if [ "$no_sim" -eq 1 ]; then
		result "$name" SKIP "no simulator; $(($(wc -l <"$conn") - 1)) entries collected"
		continue
	fi
	opts=()
	if [ "$table_size" != - ]; then
		opts+=(--wmh-table-size "$table_size")
		[ "$hash_key" = "(null)" ] || opts+=(--wmh-hash-key "$hash_key")
		[ "$port_hash" != Y ] || opts+=(--wmh-port-hash)
		[ "$overflow" != Y ] || opts+=(--wmh-overflow)
	fi
	if ! "$sim" predict --config "$cmp/$name.config" --flows "$cmp/$name.flows" "${opts[@]}" \
		>"$cmp/$name.predict" 2>"$cmp/$name.sim.err"; then
		result "$name" FAIL "ipvs-sim predict failed: $(head -c 300 "$cmp/$name.sim.err")"
		continue
	fi
	status=0
	line=$("$flowgen" check --flows "$cmp/$name.flows" --predict "$cmp/$name.predict" \
		--conn "$conn" --report "$cmp/$name.mismatches" --max-report "$max_report" \
		--name "$name" 2>"$cmp/$name.check.err") || status=$?
	if [ "$status" -eq 0 ]; then
		result "$name" PASS "${line#PASS "$name": }"
	elif [ "$status" -eq 1 ]; then
		result "$name" FAIL "${line#FAIL "$name": }; first mismatches in $cmp/$name.mismatches"
	else
		result "$name" FAIL "flowgen check: $(head -c 300 "$cmp/$name.check.err")"
	fi
done <"$run/bursts.txt"

[ -s "$results" ] || result bursts FAIL "the guest reported no bursts"
nfail=$(awk '$3 == "FAIL"' "$results" | wc -l)
nskip=$(awk '$3 == "SKIP"' "$results" | wc -l)
npass=$(awk '$3 == "PASS"' "$results" | wc -l)
echo "compare.sh: $npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ]
