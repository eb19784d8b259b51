# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # run, payload, cmp: the sourcing script's
#
# Host-side checks of the capture scenario (guest/scenario-capture.sh,
# inputs from prepare-capture.sh), sourced by compare.sh before its tally:
#   capture-recovered   the trace ipvs-capture wrote live in the guest holds
#                       exactly the flows of flows/capture-t4 and capture-u6
#                       (protocol, client, VIP; none of the noise), each
#                       once, in non-decreasing start order
#   capture-conn        the ip_vs_conn samples are in the companion format
#                       (a header, "sample" ... "end" records whose counts
#                       match their lines, times increasing) and the last
#                       one holds an entry for every flow sent to the VIPs
#   capture-lo          the whole connections to the listener on lo: exactly
#                       the flows of flows/capture-lo, each with at least
#                       the 6 packets of an opening and two FINs and a
#                       duration > 0

capture_keys() {
	grep -v '^#' "$@" | awk 'NF { print $2, $3, $4 }' | sort
}

capture_check() {
	local trace=$run/files/capture.trace conn=$run/files/capture.conn
	[ -f "$payload/flows/capture-t4.flows" ] || return 0
	if [ ! -f "$trace" ]; then
		result capture-recovered FAIL "the guest sent no capture.trace"
		return 0
	fi
	capture_keys "$payload/flows/capture-t4.flows" "$payload/flows/capture-u6.flows" \
		>"$cmp/capture-sent.keys"
	capture_keys "$trace" >"$cmp/capture-got.keys"
	local sent got
	sent=$(wc -l <"$cmp/capture-sent.keys")
	got=$(wc -l <"$cmp/capture-got.keys")
	if ! diff "$cmp/capture-sent.keys" "$cmp/capture-got.keys" >"$cmp/capture.diff"; then
		result capture-recovered FAIL "$sent flows sent, $got captured, $(grep -c '^<' "$cmp/capture.diff") missing, $(grep -c '^>' "$cmp/capture.diff") extra: $cmp/capture.diff"
	elif ! grep -v '^#' "$trace" | awk 'NF && $1 < last { exit 1 } NF { last = $1 }'; then
		result capture-recovered FAIL "starts decrease in $trace"
	else
		result capture-recovered PASS "$got flows captured, exactly the $sent sent to the VIPs ($(grep -c -v '^#' "$payload/flows/capture-noise-u4.flows") + $(grep -c -v '^#' "$payload/flows/capture-noise-t4.flows") noise flows left out)"
	fi

	if [ ! -f "$conn" ]; then
		result capture-conn FAIL "the guest sent no capture.conn"
		return 0
	fi
	local verdict
	if verdict=$(awk -v want="$sent" '
		NR == 1 { if ($0 != "# ipvs-capture ip_vs_conn samples 1") { print "bad header: " $0; bad = 1; exit } next }
		$1 == "sample" && !in_s { if ($2 + 0 < t) { print "time goes back at line " NR; bad = 1; exit }
			t = $2 + 0; n = $4; lines = 0; in_s = 1; samples++; entries = 0; next }
		$0 == "end" && in_s { if (lines != n + 1) { print "sample at line " NR ": " lines " lines for " n " entries"; bad = 1; exit }
			in_s = 0; last = entries; next }
		in_s { lines++; if (lines > 1) entries++; next }
		{ print "stray line " NR ": " $0; bad = 1; exit }
		END { if (bad) exit 1
			if (in_s || samples < 2) { print samples " samples, last open " in_s; exit 1 }
			if (last != want) { print samples " samples, the last has " last " entries for " want " flows"; exit 1 }
			print samples " samples, the last with " last " entries, one per flow" }' "$conn"); then
		result capture-conn PASS "$verdict"
	else
		result capture-conn FAIL "$verdict"
	fi
}
capture_lo_check() {
	local trace=$run/files/capture-lo.trace
	[ -f "$payload/flows/capture-lo.flows" ] || return 0
	if [ ! -f "$trace" ]; then
		result capture-lo-flows FAIL "the guest sent no capture-lo.trace"
		return 0
	fi
	capture_keys "$payload/flows/capture-lo.flows" >"$cmp/capture-lo-sent.keys"
	capture_keys "$trace" >"$cmp/capture-lo-got.keys"
	local short
	short=$(grep -v '^#' "$trace" | awk 'NF && ($6 < 6 || $5 <= 0) { n++ } END { print n + 0 }')
	if ! diff "$cmp/capture-lo-sent.keys" "$cmp/capture-lo-got.keys" >"$cmp/capture-lo.diff"; then
		result capture-lo-flows FAIL "$(wc -l <"$cmp/capture-lo-sent.keys") connections made, $(wc -l <"$cmp/capture-lo-got.keys") captured: $cmp/capture-lo.diff"
	elif [ "$short" -ne 0 ]; then
		result capture-lo-flows FAIL "$short flows with fewer than 6 packets or no duration: $(grep -v '^#' "$trace" | head -n 2 | tr '\n' '|')"
	else
		result capture-lo-flows PASS "$(wc -l <"$cmp/capture-lo-got.keys") connections, each from its SYN to both FINs: $(grep -v '^#' "$trace" | awk 'NF { p += $6; d += $5 } END { printf "%.1f packets, %.6f s on average", p / NR, d / NR }')"
	fi
}

# Only when the guest ran the scenario (run-all.sh --only may leave it out;
# prepare.sh writes every scenario's inputs either way).
if grep -qx capture "$payload/plan"; then
	capture_check
	capture_lo_check
fi
