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
# must decide alike under wmh and differently under mh. A burst served by
# wmh as a drop-in (SCHED_NAME mh or sh) is predicted with --wmh-sched-name,
# and the in-tree model of that name must disagree with the kernel on some
# of its flows. The keepalived bursts are predicted from the keepalived.conf
# the guest's keepalived ran (and the checker's edit as a timeline); the
# rules Debian's samples made keepalived configure must equal the
# simulator's reading of each sample.
# Writes RUNDIR/compare/results.txt (RESULT lines) and, per burst, the
# config, flows, prediction and a report of the first mismatches there.
# SIM may also come from the environment. Exit status 0 only if all passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
VM_USAGE="RUNDIR PAYLOAD --flowgen BIN (--sim BIN | --no-sim) [--max-report N]"
# shellcheck source=lib.sh
. "$here/lib.sh"

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

# snapshot_check NAME RULES: the guest's ipvs-snapshot dump of burst NAME, if
# it sent one, must equal RULES (ipvsadm's rules, real servers oldest first).
snapshot_check() {
	[ -f "$run/files/$1.snap" ] || return 0
	if diff -u "$2" "$run/files/$1.snap" >"$cmp/$1.snap.diff"; then
		result "$1-snapshot" PASS "ipvs-snapshot equals ipvsadm's rules, real servers oldest first"
	else
		result "$1-snapshot" FAIL "ipvs-snapshot differs from ipvsadm: $cmp/$1.snap.diff"
	fi
}

# thresh_snapshot_check NAME RULES: ipvsadm 1.31's -Sn leaves out the
# thresholds (-x, -y) that ipvs-snapshot writes: without them the snapshot
# must equal RULES, and its real servers with them the payload's rules.
thresh_snapshot_check() {
	local snap=$run/files/$1.snap
	[ -f "$snap" ] || return 0
	if ! diff -u "$2" <(sed -E 's/ -x [0-9]+//; s/ -y [0-9]+//' "$snap") >"$cmp/$1.snap.diff"; then
		result "$1-snapshot" FAIL "ipvs-snapshot (thresholds left out) differs from ipvsadm: $cmp/$1.snap.diff"
	elif ! diff -u <(grep '^-a ' "$payload/cmds/thresh.ipvsadm" | sort) <(grep '^-a ' "$snap" | sort) \
		>"$cmp/$1.snap-thresholds.diff"; then
		result "$1-snapshot" FAIL "ipvs-snapshot's real servers differ from the rules applied: $cmp/$1.snap-thresholds.diff"
	else
		result "$1-snapshot" PASS "ipvs-snapshot equals ipvsadm's rules and has the thresholds that ipvsadm -Sn leaves out"
	fi
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

# drain_check NAME PREV: for every wmh service, the flows of NAME (a step
# that drains servers to weight 0, its prediction already held against the
# kernel) must keep the dest the previous rules give them unless that dest
# was drained, and every one must get a dest.
drain_check() {
	local wmh_vips drained
	"$sim" predict --config "$cmp/$2.config" --flows "$cmp/$1.flows" "${opts[@]}" \
		>"$cmp/$1.before" 2>>"$cmp/$1.sim.err" || {
		result "$1-drain" FAIL "ipvs-sim predict (before the drain) failed"
		return
	}
	wmh_vips=$(awk '$1 == "-A" && / -s wmh/ { print $3 }' "$cmp/$2.config" | tr '\n' ' ')
	drained=$(awk '$1 == "-e" && / -w 0( |$)/ { print $5 }' "$payload/cmds/$1.ipvsadm" | tr '\n' ' ')
	paste -d' ' "$cmp/$1.before" "$cmp/$1.predict" | awk -v vips="$wmh_vips" \
		-v drained="$drained" -v name="$1" '
		BEGIN { split(vips, v, " "); for (i in v) wmh[v[i]] = 1
			split(drained, d, " "); for (i in d) gone[d[i]] = 1 }
		!($2 in wmh) { next }
		{ n++ }
		$6 == "-" { nodest++; next }
		!($3 in gone) && $3 != $6 { moved++ }
		END {
			if (n == 0) { print "FAIL no wmh flows"; exit 1 }
			if (nodest || moved) {
				printf "FAIL %d of %d wmh flows moved off undrained dests, %d got none\n", moved, n, nodest
				exit 1
			}
			printf "PASS %d wmh flows: none moved off an undrained dest, all got a dest\n", n
		}' >"$cmp/$1.drain" || true
	read -r verdict detail <"$cmp/$1.drain"
	result "$1-drain" "$verdict" "$detail"
}

# model_check NAME SCHED: the in-tree SCHED model (the prediction without
# --wmh-sched-name) must disagree with the kernel on some flows of NAME, or
# the burst could not tell wmh from the scheduler it replaces.
model_check() {
	local args=("$sim" predict --config "$config" "${timeline[@]}" "${cfmt[@]}"
		--flows "$cmp/$1.flows") line agree flows
	if ! "${args[@]}" >"$cmp/$1.model-predict" 2>"$cmp/$1.model.err"; then
		result "$1-vs-$2" FAIL "ipvs-sim predict (the in-tree $2 model) failed: $(head -c 300 "$cmp/$1.model.err")"
		return
	fi
	line=$("$flowgen" check --flows "$cmp/$1.flows" --predict "$cmp/$1.model-predict" \
		--conn "$run/files/$1.conn" --max-report 0 --name "$1" 2>>"$cmp/$1.model.err") || true
	flows=$(sed -n 's/.* flows=\([0-9]*\) .*/\1/p' <<<"$line")
	agree=$(sed -n 's/.* agree=\([0-9]*\) .*/\1/p' <<<"$line")
	if [ -z "$flows" ] || [ -z "$agree" ]; then
		result "$1-vs-$2" FAIL "flowgen check: $(head -c 300 "$cmp/$1.model.err")"
	elif [ "$agree" -lt "$flows" ]; then
		result "$1-vs-$2" PASS "$((flows - agree)) of $flows kernel decisions differ from the in-tree $2 model"
	else
		result "$1-vs-$2" FAIL "all $flows kernel decisions equal the in-tree $2 model: the burst cannot tell wmh from $2"
	fi
}

# checker_check: the simulator's idea of keepalived's reaction to the
# failed checkers (ipvs-sim config --checker-down) must be down.timeline,
# the edit the guest saw keepalived make.
checker_check() {
	local kd=$payload/keepalived servers
	read -r -a servers <<<"$(tr '\n' ' ' <"$kd/down.servers")"
	if ! "$sim" config --config "$kd/keepalived.conf" --config-format keepalived \
		--checker-down "${servers[@]}" --at 0 >"$cmp/checker-down.timeline" \
		2>"$cmp/checker-down.err"; then
		result keepalived-checker-down FAIL "ipvs-sim config --checker-down failed: $(head -c 300 "$cmp/checker-down.err")"
	elif diff -u <(grep -v -E '^[[:space:]]*(#|$)' "$kd/down.timeline" | sort) \
		<(grep -v -E '^[[:space:]]*(#|$)' "$cmp/checker-down.timeline" | sort) \
		>"$cmp/checker-down.diff"; then
		result keepalived-checker-down PASS "ipvs-sim config --checker-down ${servers[*]} gives the edit keepalived made"
	else
		result keepalived-checker-down FAIL "ipvs-sim config --checker-down differs from keepalived: $cmp/checker-down.diff"
	fi
}

# by_service FILE: -Sn style rules grouped by service, services sorted, each
# service's real servers in the file's order (list order is what matters
# for mh and sh; the order of services is the kernel's hash order).
by_service() {
	awk '$1 == "-A" { printf "%s %s\t0\t%s\n", $2, $3, $0; next }
		$1 == "-a" { printf "%s %s\t%d\t%s\n", $2, $3, ++n[$2 " " $3], $0; next }
		NF { printf "~\t0\t%s\n", $0 }' "$1" |
		LC_ALL=C sort -t "$(printf '\t')" -k1,1 -k2,2n | cut -f3
}

# sample_check NAME: the rules keepalived configured from a Debian sample
# (the guest's -Ln --nosort and -Sn, in list order) must equal the
# simulator's reading of the same file.
sample_check() {
	local sample=$payload/keepalived/samples/keepalived.conf.${1#ka-sample-}
	if [ ! -f "$sample" ]; then
		result "$1" FAIL "no sample $sample in the payload"
		return
	fi
	if ! "$here/nosort-config.sh" "$run/files/$1.ln" "$run/files/$1.sn" \
		>"$cmp/$1.kernel" 2>"$cmp/$1.kernel.err"; then
		result "$1" FAIL "rules not understood: $(head -c 300 "$cmp/$1.kernel.err")"
		return
	fi
	snapshot_check "$1" "$cmp/$1.kernel"
	if [ "$no_sim" -eq 1 ]; then
		result "$1" SKIP "no simulator"
		return
	fi
	if ! "$sim" config --config "$sample" --config-format keepalived \
		>"$cmp/$1.sim" 2>"$cmp/$1.sim.err"; then
		result "$1" FAIL "ipvs-sim config failed: $(head -c 300 "$cmp/$1.sim.err")"
		return
	fi
	if diff -u <(by_service "$cmp/$1.kernel") <(by_service "$cmp/$1.sim") >"$cmp/$1.diff"; then
		result "$1" PASS "$(grep -c '^-A' "$cmp/$1.kernel") services, $(grep -c '^-a' "$cmp/$1.kernel") real servers: keepalived and the simulator agree"
	else
		result "$1" FAIL "keepalived and the simulator differ: $cmp/$1.diff"
	fi
}

for ln in "$run"/files/ka-sample-*.ln; do
	[ -f "$ln" ] || continue
	sample_check "$(basename "$ln" .ln)"
done

while read -r name lists table_size hash_key port_hash overflow sched_name \
	hrw_size hrw_key hrw_port hrw_ovf chbl_size chbl_key chbl_port chbl_ovf chbl_eps chbl_eps3; do
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
	case $name in
	thresh-p[0-9]) thresh_snapshot_check "$name" "$cmp/$name.config" ;;
	*) snapshot_check "$name" "$cmp/$name.config" ;;
	esac
	: >"$cmp/$name.flows"
	for l in ${lists//,/ }; do
		cat "$payload/flows/$l.flows" >>"$cmp/$name.flows"
	done
	case $name in
	order-wmh) order_check "$name" same ;;
	order-mh) order_check "$name" differ ;;
	outgrow-[0-9]) # compare-outgrow.sh, after this loop
		echo "$name $table_size $hash_key $port_hash $overflow $sched_name" >>"$cmp/outgrow.bursts"
		continue
		;;
	persist-eqt[01]-b[0-9] | nodest-[01]-[adw] | thresh-p[0-9])
		# One prediction for the whole scenario, after this loop.
		echo "$name $table_size $hash_key $port_hash $overflow $sched_name" >>"$cmp/history.bursts"
		[ "$no_sim" -eq 0 ] ||
			result "$name" SKIP "no simulator; $(($(wc -l <"$conn") - 1)) entries collected"
		continue
		;;
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
		[ "${sched_name:-wmh}" = wmh ] || opts+=(--wmh-sched-name "$sched_name")
	fi
	if [ -n "${hrw_size:-}" ] && [ "$hrw_size" != - ]; then
		opts+=(--hrw-table-size "$hrw_size")
		[ "$hrw_key" = "(null)" ] || opts+=(--hrw-hash-key "$hrw_key")
		[ "$hrw_port" != Y ] || opts+=(--hrw-port-hash)
		[ "$hrw_ovf" != Y ] || opts+=(--hrw-overflow)
	fi
	if [ -n "${chbl_size:-}" ] && [ "$chbl_size" != - ]; then
		opts+=(--chbl-table-size "$chbl_size" --chbl-eps "$chbl_eps" --chbl-eps-flag3 "$chbl_eps3")
		[ "$chbl_key" = "(null)" ] || opts+=(--chbl-hash-key "$chbl_key")
		[ "$chbl_port" != Y ] || opts+=(--chbl-port-hash)
		[ "$chbl_ovf" != Y ] || opts+=(--chbl-overflow)
	fi
	# After the first step of the live scenario, predict from the previous
	# step's rules plus this step's ipvsadm edits as a timeline: a dump
	# cannot show a drained server's last non-zero weight, which the kernel
	# keeps and wmh and mh build their tables from. This also holds the
	# simulator's edit semantics (add at the list head, drain, -E) against
	# the kernel.
	config=$cmp/$name.config
	timeline=()
	cfmt=()
	case $name in
	keepalived-up | keepalived-down)
		# What keepalived was given, not what it configured; after the
		# checker's edit, that edit as a timeline.
		config=$payload/keepalived/keepalived.conf
		cfmt=(--config-format keepalived)
		if [ "$name" = keepalived-down ]; then
			timeline=(--timeline "$payload/keepalived/down.timeline")
			checker_check
		fi
		;;
	storm-after)
		# p1's edits of the three services only it edits, in order, on
		# top of the setup rules (the other process and p1's edits of
		# the shared services leave them alone).
		config=$payload/cmds/storm-setup.ipvsadm
		awk '$3 == "10.0.4.1:53" || $3 == "[fd00::4:1]:80" || $3 == "10.0.4.3:80" { print "0", $0 }' \
			"$payload"/cmds/storm-p1-*.ipvsadm >"$cmp/$name.timeline"
		timeline=(--timeline "$cmp/$name.timeline")
		;;
	live-[1-9]*)
		prev=live-$((${name#live-} - 1))
		if [ -f "$cmp/$prev.config" ] && [ -f "$payload/cmds/$name.ipvsadm" ]; then
			config=$cmp/$prev.config
			sed 's/^/0 /' "$payload/cmds/$name.ipvsadm" >"$cmp/$name.timeline"
			timeline=(--timeline "$cmp/$name.timeline")
		fi
		;;
	esac
	if ! "$sim" predict --config "$config" "${timeline[@]}" "${cfmt[@]}" --flows "$cmp/$name.flows" "${opts[@]}" \
		>"$cmp/$name.predict" 2>"$cmp/$name.sim.err"; then
		result "$name" FAIL "ipvs-sim predict failed: $(head -c 300 "$cmp/$name.sim.err")"
		continue
	fi
	if [ "${name#live-}" != "$name" ] && [ -n "${timeline[*]}" ] &&
		grep -q -- '-w 0$' "$payload/cmds/$name.ipvsadm"; then
		drain_check "$name" "$prev"
	fi
	status=0
	line=$("$flowgen" check --flows "$cmp/$name.flows" --predict "$cmp/$name.predict" \
		--conn "$conn" --report "$cmp/$name.mismatches" --max-report "$max_report" \
		--name "$name" 2>"$cmp/$name.check.err") || status=$?
	if [ "$status" -eq 0 ]; then
		result "$name" PASS "${line#PASS "$name": }"
		[ "${sched_name:-wmh}" = wmh ] || [ "$table_size" = - ] ||
			model_check "$name" "$sched_name"
	elif [ "$status" -eq 1 ]; then
		result "$name" FAIL "${line#FAIL "$name": }; first mismatches in $cmp/$name.mismatches"
	else
		result "$name" FAIL "flowgen check: $(head -c 300 "$cmp/$name.check.err")"
	fi
done <"$run/bursts.txt"

# --- Scenarios predicted as one history (issue 9): persistence templates,
# expire_nodest_conn and threshold overload carry state from burst to burst,
# so each scenario is one `ipvs-sim predict` run over all its bursts' flows
# (start times shifted past the timeline events that precede them), and
# each burst is checked against its slice of that prediction.

# wmh_opts NAME: the wmh module options of burst NAME's BURST record.
wmh_opts() {
	local n ts hk ph of sn
	opts=()
	read -r n ts hk ph of sn < <(awk -v n="$1" '$1 == n' "$cmp/history.bursts")
	if [ -n "${ts:-}" ] && [ "$ts" != - ]; then
		opts+=(--wmh-table-size "$ts")
		[ "$hk" = "(null)" ] || opts+=(--wmh-hash-key "$hk")
		[ "$ph" != Y ] || opts+=(--wmh-port-hash)
		[ "$of" != Y ] || opts+=(--wmh-overflow)
		[ "${sn:-wmh}" = wmh ] || opts+=(--wmh-sched-name "$sn")
	fi
}

# history_check SCEN CONFIG TIMELINE -- BURST:LIST+LIST:START... -- SIMOPTS...
# TIMELINE may be "" (none). Each burst's lists' flows are shifted to START.
history_check() {
	local scen=$1 config=$2 tl=$3 spec b lists start l from to n status line
	local bursts=() simopts=()
	shift 4
	while [ $# -gt 0 ] && [ "$1" != -- ]; do bursts+=("$1"); shift; done
	[ $# -eq 0 ] || shift
	simopts=("$@")
	[ -f "$run/files/${bursts[0]%%:*}.conn" ] || return 0
	[ "$no_sim" -eq 0 ] || return 0
	wmh_opts "${bursts[0]%%:*}"
	local flows=$cmp/$scen.history.flows pred=$cmp/$scen.history.predict
	: >"$flows"
	: >"$cmp/$scen.ranges"
	from=1
	for spec in "${bursts[@]}"; do
		b=${spec%%:*}
		lists=${spec#*:}
		lists=${lists%:*}
		start=${spec##*:}
		for l in ${lists//+/ }; do
			awk -v t="$start" '!/^[[:space:]]*(#|$)/ { $1 = t; print }' \
				"$payload/flows/$l.flows"
		done >"$cmp/$b.hist-flows"
		cat "$cmp/$b.hist-flows" >>"$flows"
		n=$(wc -l <"$cmp/$b.hist-flows")
		echo "$b $from $((from + n - 1))" >>"$cmp/$scen.ranges"
		from=$((from + n))
	done
	local tlopt=()
	[ -z "$tl" ] || tlopt=(--timeline "$tl")
	if ! "$sim" predict --config "$config" "${tlopt[@]}" --flows "$flows" "${opts[@]}" \
		"${simopts[@]}" >"$pred" 2>"$cmp/$scen.sim.err"; then
		for spec in "${bursts[@]}"; do
			result "${spec%%:*}" FAIL "ipvs-sim predict ($scen, one run) failed: $(head -c 300 "$cmp/$scen.sim.err" | tr '\n' '|')"
		done
		return
	fi
	while read -r b from to; do
		if [ ! -f "$run/files/$b.conn" ]; then
			result "$b" FAIL "the guest did not return this burst"
			continue
		fi
		sed -n "${from},${to}p" "$pred" >"$cmp/$b.predict"
		status=0
		line=$("$flowgen" check --flows "$cmp/$b.hist-flows" --predict "$cmp/$b.predict" \
			--conn "$run/files/$b.conn" --report "$cmp/$b.mismatches" --max-report "$max_report" \
			--name "$b" 2>"$cmp/$b.check.err") || status=$?
		if [ "$status" -eq 0 ]; then
			result "$b" PASS "${line#PASS "$b": } (one prediction for all of $scen)"
		elif [ "$status" -eq 1 ]; then
			result "$b" FAIL "${line#FAIL "$b": }; first mismatches in $cmp/$b.mismatches"
		else
			result "$b" FAIL "flowgen check: $(head -c 300 "$cmp/$b.check.err")"
		fi
	done <"$cmp/$scen.ranges"
}

# timeline FILE TIME... : payload cmds files given as "TIME:NAME", each
# line of cmds/NAME.ipvsadm at TIME.
timeline_of() {
	local out=$1 spec
	shift
	: >"$out"
	for spec in "$@"; do
		sed "s/^/${spec%%:*} /" "$payload/cmds/${spec#*:}.ipvsadm" >>"$out"
	done
}

# persist_property SCEN EQT: from the kernel's entries alone, every client
# group (its /24 for the -M services, its address for the port-0 ones) has
# one dest per burst and keeps it from burst to burst, except groups of the
# deleted dest 4 (burst 3) and, with expire_quiescent_template=1, of the
# drained dest 3 (burst 2), which must move (or, mh and sh without
# fallback, get no entry).
persist_property() {
	local scen=$1 eqt=$2 files=() b verdict detail
	for b in 0 1 2 3; do
		[ -f "$run/files/$scen-b$b.conn" ] || return 0
		files+=("$run/files/$scen-b$b.conn")
	done
	awk -v eqt="$eqt" '
		FNR == 1 { b++ ; next }
		{
			vip = $4; v = substr(vip, 7, 2)
			# 10.0.12.1-5: -M 255.255.255.0 services; .11-.15: port 0
			g = (v <= "05") ? substr($2, 1, 6) : $2
			key = vip " " g; d = $6
			if ((b, key) in dest && dest[b, key] != d) multi[b, key] = 1
			dest[b, key] = d; groups[key] = 1
		}
		END {
			for (k in groups) for (i = 1; i <= 4; i++) if ((i, k) in multi) nmulti++
			for (k in groups) {
				for (i = 2; i <= 4; i++) {
					if (!((i - 1, k) in dest)) continue
					p = dest[i - 1, k]; pn = substr(p, 7, 2)
					move = (i == 3 && eqt == 1 && pn == "03") || (i == 4 && pn == "04")
					has = ((i, k) in dest)
					if (move) {
						if (has && dest[i, k] == p) stuck++
						else if (has) moved++
						else dropped++
					} else if (!has || dest[i, k] != p) {
						lost++
					} else {
						kept++
						if (i == 3 && pn == "03") keptdrained++
					}
				}
			}
			ok = !nmulti && !stuck && !lost && moved > 0 && (eqt == 1 || keptdrained > 0)
			printf "%s %d client groups; %d kept their dest across a step (%d on the drained dest), %d moved off a deleted%s dest, %d got none (mh, sh: no fallback); %d with two dests in a burst, %d moved without cause, %d stayed on an invalid template\n",
				ok ? "PASS" : "FAIL", length(groups), kept, keptdrained, moved,
				eqt == 1 ? " or drained" : "", dropped, nmulti, lost, stuck
		}' "${files[@]}" >"$cmp/$scen.property"
	read -r verdict detail <"$cmp/$scen.property"
	result "$scen-persistence" "$verdict" "$detail"
}

# nodest_property V: from the kernel's entries, the deleted dest .2 keeps
# its entries with expire_nodest_conn=0 and has none with 1; the drained
# dest .5 keeps its UDP entries either way and its TCP ones only with 0.
nodest_property() {
	local v=$1 n=nodest-$1 verdict detail
	for b in a d w; do [ -f "$run/files/$n-$b.conn" ] || return 0; done
	awk -v v="$v" '
		FNR == 1 { b++; next }
		{ c[b, $1, substr($6, 7, 2)]++ }
		END {
			ud = c[1, "UDP", "02"]; td = c[1, "TCP", "02"]
			uw = c[2, "UDP", "05"]; tw = c[2, "TCP", "05"]
			ok = ud > 0 && td > 0 && uw > 0 && tw > 0
			if (v == 0) ok = ok && c[2, "UDP", "02"] == ud && c[2, "TCP", "02"] == td &&
				c[3, "UDP", "05"] == uw && c[3, "TCP", "05"] == tw
			else ok = ok && c[2, "UDP", "02"] + 0 == 0 && c[2, "TCP", "02"] + 0 == 0 &&
				c[3, "UDP", "05"] == uw && c[3, "TCP", "05"] + 0 == 0
			printf "%s deleted dest: UDP %d -> %d, TCP %d -> %d entries; drained dest: UDP %d -> %d, TCP %d -> %d\n",
				ok ? "PASS" : "FAIL", ud, c[2, "UDP", "02"], td, c[2, "TCP", "02"],
				uw, c[3, "UDP", "05"], tw, c[3, "TCP", "05"]
		}' "$run/files/$n-a.conn" "$run/files/$n-d.conn" "$run/files/$n-w.conn" >"$cmp/$n.property"
	read -r verdict detail <"$cmp/$n.property"
	result "$n-entries" "$verdict" "$detail"
}

# thresh_property: the threshold dest (.1) of each service got the entries
# prepare.sh's design says in each phase (the kernel's overload rules,
# independent of the simulator).
thresh_property() {
	local want="10,10,0,10 11,9,11,0 5,15,0,10 6,15,6,10" have verdict
	for b in 1 2 3 4; do [ -f "$run/files/thresh-p$b.conn" ] || return 0; done
	have=$(awk '
		FNR == 1 { b++; next }
		substr($6, 7, 2) == "01" { c[substr($4, 7, 2) + 0, b]++ }
		END {
			for (s = 1; s <= 4; s++)
				printf "%s%d,%d,%d,%d", (s > 1 ? " " : ""), c[s, 1], c[s, 2], c[s, 3], c[s, 4]
		}' "$run"/files/thresh-p[1-4].conn)
	verdict=FAIL
	[ "$have" != "$want" ] || verdict=PASS
	result thresh-overload "$verdict" "entries on the threshold dest per phase p1,p2,p3,p4 for services .1-.4: $have (designed: $want)"
}

# has_bursts PREFIX: the guest reported a burst named PREFIX*.
has_bursts() {
	[ -f "$cmp/history.bursts" ] && grep -q "^$1" "$cmp/history.bursts"
}

if has_bursts persist-eqt; then
	timeline_of "$cmp/persist.timeline" 5:persist-1 15:persist-2 25:persist-3
	for eqt in 0 1; do
		s=persist-eqt$eqt
		persist_property "$s" "$eqt"
		sysopt=(--sysctl "expire_quiescent_template=$eqt")
		[ ! -f "$run/files/$s.sysctl" ] || sysopt=(--sysctl-file "$run/files/$s.sysctl")
		history_check "$s" "$payload/cmds/persist-0.ipvsadm" "$cmp/persist.timeline" -- \
			"$s-b0:persist-b0:0" "$s-b1:persist-b1:10" "$s-b2:persist-b2:20" \
			"$s-b3:persist-b3:30" -- "${sysopt[@]}"
	done
fi
if has_bursts nodest-; then
	timeline_of "$cmp/nodest.timeline" 5:nodest-d 15:nodest-w
	for v in 0 1; do
		nodest_property "$v"
		history_check "nodest-$v" "$payload/cmds/nodest-0.ipvsadm" "$cmp/nodest.timeline" -- \
			"nodest-$v-a:nodest-u+nodest-t:0" "nodest-$v-d:nodest-u+nodest-t:10" \
			"nodest-$v-w:nodest-u+nodest-t:20" -- \
			--sysctl "expire_nodest_conn=$v" --tcp-no-close
	done
fi
if has_bursts thresh-; then
	thresh_property
	# p1 at 0 and p2 at 5 s; entries live 10 s (thresh-set.ipvsadm); p3 at
	# 11 s (p1 gone, p2 alive), p4 at 17 s (p2 gone, p3 alive), as the
	# guest waited for (its expire_soon ends each phase's entries early).
	udp_timeout=$(awk '$1 == "--set" { print $4 }' "$payload/cmds/thresh-set.ipvsadm")
	sysopt=()
	[ ! -f "$run/files/thresh.sysctl" ] || sysopt=(--sysctl-file "$run/files/thresh.sysctl")
	history_check thresh "$payload/cmds/thresh.ipvsadm" "" -- \
		thresh-p1:thresh-p1:0 thresh-p2:thresh-p2:5 thresh-p3:thresh-p3:11 \
		thresh-p4:thresh-p4:17 -- --udp-timeout "${udp_timeout:-10}" "${sysopt[@]}"
fi

. "$here/compare-net.sh" # fwmark, reuse-N (guest/scenario-net.sh): no BURST records
. "$here/compare-verify.sh" # verify (guest/scenario-verify.sh): the saved exports
. "$here/compare-whatif.sh" # whatif (guest/scenario-whatif.sh): held connections
. "$here/compare-ramp.sh" # ramp (guest/scenario-ramp.sh): each step's moves, measured
. "$here/compare-outgrow.sh" # outgrow (guest/scenario-outgrow.sh): its bursts
. "$here/compare-capture.sh" # capture (guest/scenario-capture.sh): the trace against the flows
. "$here/compare-roundtrip.sh" # snapshot-roundtrip: no BURST record

# storm-final: whatever the interleaving of the storm's two editors, the
# kernel's rules after it (storm-after's -Sn) must be the setup plus both
# streams applied one after the other, as the simulator applies them: each
# stream is valid alone and the two edit disjoint real servers. Servers are
# compared as sets (their order depends on the interleaving).
if [ -f "$run/files/storm-after.sn" ]; then
	cat "$payload/cmds/storm-setup.ipvsadm" "$payload"/cmds/storm-p1-*.ipvsadm \
		"$payload"/cmds/storm-p2-*.ipvsadm >"$cmp/storm-final.rules"
	if [ "$no_sim" -eq 1 ]; then
		result storm-final SKIP "no simulator"
	elif ! "$sim" config --config "$cmp/storm-final.rules" >"$cmp/storm-final.sim" \
		2>"$cmp/storm-final.err"; then
		result storm-final FAIL "ipvs-sim config of the storm's edits failed: $(head -c 300 "$cmp/storm-final.err")"
	else
		rt_canon --sort --drop "x y" "$cmp/storm-final.sim" >"$cmp/storm-final.want"
		rt_canon --sort --drop "x y" "$run/files/storm-after.sn" >"$cmp/storm-final.have"
		rt_compare storm-final "the kernel's rules after the storm against the setup plus both streams' $(grep -c . "$cmp/storm-final.rules") lines applied in turn" \
			"$cmp/storm-final.want" "$cmp/storm-final.have" || true
	fi
fi
[ -s "$results" ] || result bursts FAIL "the guest reported no bursts"
nfail=$(awk '$3 == "FAIL"' "$results" | wc -l)
nskip=$(awk '$3 == "SKIP"' "$results" | wc -l)
npass=$(awk '$3 == "PASS"' "$results" | wc -l)
echo "compare.sh: $npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ]
