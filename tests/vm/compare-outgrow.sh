# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # run, payload, cmp, sim, flowgen, no_sim, max_report: compare.sh's
#
# Host-side checks of the outgrown-table scenario (guest/scenario-outgrow.sh,
# inputs from prepare-outgrow.sh), sourced by compare.sh before its tally;
# compare.sh's burst loop leaves the outgrow-N bursts to it
# ($cmp/outgrow.bursts). Per burst:
#   NAME          ipvs-sim predict from the rules, with the model of the
#                 outgrown table, agrees with every kernel decision
#                 (outgrow-2: outgrow-1's rules plus the drain as a timeline,
#                 as a dump cannot show a drained server's last weight);
#   NAME-loud     that predict said "20 servers, 13 slots: the kernel keeps
#                 the table of the first 13" once and exited 1 (the
#                 predictions checked are its output, written all the same);
#   NAME-export   predict --export (the burst's saved exports) from the
#                 burst's own dump agrees with every kernel decision;
#   outgrow-1-first  from the kernel's entries alone: every UDP flow went to
#                 one of the first 13 servers of outgrow-setup (ipvsadm -R
#                 order), none to the 7 added after them;
#   outgrow-2-dump  the dump alone (drained servers at weight 0, nothing
#                 else) disagrees with the kernel on some flows: without the
#                 export the burst could not be predicted from its dump.

# outgrow_judge CASE FLOWS PREDICT CONN: flowgen check, as a RESULT.
outgrow_judge() {
	local status=0 line
	line=$("$flowgen" check --flows "$2" --predict "$3" --conn "$4" \
		--report "$cmp/$1.mismatches" --max-report "$max_report" --name "$1" \
		2>"$cmp/$1.check.err") || status=$?
	if [ "$status" -eq 0 ]; then
		result "$1" PASS "${line#PASS "$1": }"
	elif [ "$status" -eq 1 ]; then
		result "$1" FAIL "${line#FAIL "$1": }; first mismatches in $cmp/$1.mismatches"
	else
		result "$1" FAIL "flowgen check: $(head -c 300 "$cmp/$1.check.err")"
	fi
}

outgrow_burst() {
	local name=$1 ts=$2 hk=$3 ph=$4 of=$5 conn=$run/files/$1.conn flows=$cmp/$1.flows
	local opts=(--wmh-table-size "$ts") config=$cmp/$1.config timeline=() status=0 line
	[ "$hk" = "(null)" ] || opts+=(--wmh-hash-key "$hk")
	[ "$ph" != Y ] || opts+=(--wmh-port-hash)
	[ "$of" != Y ] || opts+=(--wmh-overflow)
	if [ "$name" = outgrow-2 ]; then
		config=$cmp/outgrow-1.config
		sed 's/^/0 /' "$payload/cmds/outgrow-drain.ipvsadm" >"$cmp/$name.timeline"
		timeline=(--timeline "$cmp/$name.timeline")
	fi
	"$sim" "${opts[@]}" predict --config "$config" "${timeline[@]}" --flows "$flows" \
		>"$cmp/$name.predict" 2>"$cmp/$name.sim.err" || status=$?
	local want="ipvs-sim: udp 10.0.43.1:53: 20 servers, 13 slots: the kernel keeps the table of the first 13 (raise table_size)"
	if [ "$status" -eq 1 ] && [ "$(grep -cxF "$want" "$cmp/$name.sim.err")" -eq 1 ]; then
		result "$name-loud" PASS "exit 1 and, once: ${want#ipvs-sim: }"
	else
		result "$name-loud" FAIL "exit $status: $(head -c 300 "$cmp/$name.sim.err" | tr '\n' '|')"
	fi
	outgrow_judge "$name" "$flows" "$cmp/$name.predict" "$conn"

	local dir=$cmp/$name.exports
	rm -rf "$dir" && mkdir -p "$dir"
	if ! tar -C "$dir" -xf "$run/files/$name.exports.tar" 2>"$cmp/$name.tar.err"; then
		result "$name-export" FAIL "no exports: $(head -c 300 "$cmp/$name.tar.err")"
		return
	fi
	status=0
	"$sim" "${opts[@]}" predict --config "$cmp/$name.config" --flows "$flows" --export "$dir" \
		--keep-going >"$cmp/$name-export.predict" 2>"$cmp/$name-export.sim.err" || status=$?
	if [ "$status" -ne 0 ]; then
		result "$name-export" FAIL "ipvs-sim predict --export exited $status: $(head -c 300 "$cmp/$name-export.sim.err")"
	else
		outgrow_judge "$name-export" "$flows" "$cmp/$name-export.predict" "$conn"
	fi

	[ "$name" = outgrow-2 ] || return 0
	"$sim" "${opts[@]}" predict --config "$cmp/$name.config" --flows "$flows" --keep-going \
		>"$cmp/$name-dump.predict" 2>"$cmp/$name-dump.sim.err" || true
	line=$("$flowgen" check --flows "$flows" --predict "$cmp/$name-dump.predict" --conn "$conn" \
		--max-report 0 --name "$name-dump" 2>>"$cmp/$name-dump.sim.err") || true
	local n agree
	n=$(sed -n 's/.* flows=\([0-9]*\) .*/\1/p' <<<"$line")
	agree=$(sed -n 's/.* agree=\([0-9]*\) .*/\1/p' <<<"$line")
	if [ -z "$n" ] || [ -z "$agree" ]; then
		result "$name-dump" FAIL "flowgen check: $(head -c 300 "$cmp/$name-dump.sim.err")"
	elif [ "$agree" -lt "$n" ]; then
		result "$name-dump" PASS "from the dump alone $((n - agree)) of $n kernel decisions differ: the drained servers' last weights are in the export only"
	else
		result "$name-dump" FAIL "the dump alone predicts all $n flows: the burst cannot show what the export adds"
	fi
}

# outgrow_first: the property of outgrow-1's entries, without the simulator.
outgrow_first() {
	local conn=$run/files/outgrow-1.conn verdict detail
	[ -f "$conn" ] || return 0
	awk 'FNR == NR {
			if ($1 == "-a" && $2 == "-u") {
				split($5, a, ":"); split(a[1], o, ".")
				d = sprintf("%02X%02X%02X%02X", o[1], o[2], o[3], o[4])
				if (++n <= 13) first[d] = 1; else later[d] = 1
			}
			next
		}
		FNR > 1 && $1 == "UDP" { e++; if ($6 in first) { on[$6] = 1 } else bad++ }
		END {
			for (d in on) used++
			ok = e > 0 && !bad && n == 20
			printf "%s %d UDP entries: %d on %d of the first 13 servers added, %d on the 7 added after them\n",
				ok ? "PASS" : "FAIL", e, e - bad, used, bad
		}' "$payload/cmds/outgrow-setup.ipvsadm" "$conn" >"$cmp/outgrow-1.first"
	read -r verdict detail <"$cmp/outgrow-1.first"
	result outgrow-1-first "$verdict" "$detail"
}

outgrow_check() {
	[ -f "$cmp/outgrow.bursts" ] || return 0
	outgrow_first
	local name ts hk ph of sn
	while read -r name ts hk ph of sn; do
		if [ "$no_sim" -eq 1 ]; then
			result "$name" SKIP "no simulator"
			continue
		fi
		outgrow_burst "$name" "$ts" "$hk" "$ph" "$of"
	done <"$cmp/outgrow.bursts"
}
outgrow_check
