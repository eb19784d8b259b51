# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # run, payload, cmp, sim, no_sim, flowgen, max_report, here: the sourcing script's
#
# Host-side verdicts on the fwmark and reuse-N scenarios (guest/
# scenario-net.sh, inputs from prepare-net.sh), sourced by compare.sh
# before its tally: it uses compare.sh's $run, $payload, $cmp, $sim,
# $no_sim, $flowgen, $max_report, result() and snapshot_check(). Those
# scenarios send no BURST record; their files are NAME.info (the BURST
# fields), NAME.ln, NAME.sn, NAME.snap, NAME.conn, and for reuse-N also
# reuse-N.sysctl and per round reuse-N-rR.replies.
#
# fwmark: predicted with `--marks` from the mark map the guest's nft rules
#   were derived from; every flow must agree (fwmark). Without --marks the
#   prediction must disagree (fwmark-without-marks), and the persistent
#   fwmark service must give each client one dest over all its VIP:ports
#   (fwmark-persist, from the kernel's entries alone).
# reuse-N: the rounds' connections as one trace (START, DURATION),
#   predicted with --sysctl-file reuse-N.sysctl; each round's entries must
#   agree (reuse-N-rR), the NAT servers' echoed addresses too
#   (reuse-N-rR-echo); the prediction under another conn_reuse_mode must
#   disagree (reuse-N-vs-M); and from the kernel's entries alone, which
#   reused ports changed dest (reuse-N-kernel: none under 0, NAT only
#   under 1, NAT and DR under 2 and 3).

# net_config NAME: the kernel's rules of NAME in list order, to
# $cmp/NAME.config; 1 if not understood (reported).
net_config() {
	# nosort-config.sh keys a real server by the words before -r, which an
	# IPv6 fwmark service's "-a -f MARK -6 -r" has one more of: its -6 is
	# taken off the -a lines for it and put back after.
	sed -E 's/^(-a -f [0-9]+) -6 -r /\1 -r /' "$run/files/$1.sn" >"$cmp/$1.sn"
	if ! "$here/nosort-config.sh" "$run/files/$1.ln" "$cmp/$1.sn" \
		>"$cmp/$1.config.tmp" 2>"$cmp/$1.config.err"; then
		result "$1" FAIL "rules not understood: $(head -c 300 "$cmp/$1.config.err")"
		return 1
	fi
	awk '$1 == "-A" && $2 == "-f" && $4 == "-6" { v6[$3] = 1 }
		$1 == "-a" && $2 == "-f" && ($3 in v6) && $4 == "-r" { $3 = $3 " -6" }
		{ print }' "$cmp/$1.config.tmp" >"$cmp/$1.config"
	rm -f "$cmp/$1.config.tmp"
	snapshot_check "$1" "$cmp/$1.config"
}

# net_wmh_opts TABLE_SIZE HASH_KEY PORT_HASH OVERFLOW SCHED_NAME: sets
# net_opts to the wmh options of a prediction, as compare.sh does.
net_wmh_opts() {
	net_opts=()
	[ "$1" != - ] || return 0
	net_opts+=(--wmh-table-size "$1")
	[ "$2" = "(null)" ] || net_opts+=(--wmh-hash-key "$2")
	[ "$3" != Y ] || net_opts+=(--wmh-port-hash)
	[ "$4" != Y ] || net_opts+=(--wmh-overflow)
	[ "${5:-wmh}" = wmh ] || net_opts+=(--wmh-sched-name "$5")
}

# net_check NAME FLOWS PREDICT CONN [REPORT]: flowgen check; prints its
# summary line, returns its status.
net_check() {
	"$flowgen" check --flows "$2" --predict "$3" --conn "$4" \
		--report "${5:-/dev/null}" --max-report "$max_report" --name "$1" \
		2>"$cmp/$1.check.err"
}

net_fwmark() {
	local info=$run/files/fwmark.info lists ts hk ph of sn line status
	local marks=$payload/net/fwmark.marks conn=$run/files/fwmark.conn
	read -r _ lists ts hk ph of sn <"$info"
	net_config fwmark || return
	: >"$cmp/fwmark.flows"
	for l in ${lists//,/ }; do
		cat "$payload/flows/$l.flows" >>"$cmp/fwmark.flows"
	done
	# The persistent service (mark 9): one dest per client over its four
	# VIP:ports, TCP and UDP.
	line=$(for l in ${lists//,/ }; do
		[ "${l#fwmark-9-}" = "$l" ] || cat "$payload/flows/$l.flows"
	done | awk -v conn="$conn" '
		function hex(a,   n, p, h) {
			n = split(a, p, "."); h = ""
			for (i = 1; i <= n; i++) h = h sprintf("%02X", p[i])
			return h
		}
		{ split($3, c, ":"); split($4, v, ":")
		  want[toupper($2) " " hex(c[1]) " " sprintf("%04X", c[2]) " " hex(v[1]) " " sprintf("%04X", v[2])] = 1 }
		END {
			while ((getline l < conn) > 0) {
				split(l, f, " ")
				k = f[1] " " f[2] " " f[3] " " f[4] " " f[5]
				if (!(k in want)) continue
				n++
				if (!(f[2] in d)) { d[f[2]] = f[6]; clients++ }
				else if (d[f[2]] != f[6]) bad[f[2]] = 1
			}
			for (k in bad) nbad++
			printf "%d %d %d\n", n, clients, nbad
		}')
	read -r n clients nbad <<<"$line"
	if [ "$n" -gt 0 ] && [ "$nbad" -eq 0 ]; then
		result fwmark-persist PASS "$n entries of $clients clients to 4 VIP:ports of mark 9: each client on one dest"
	else
		result fwmark-persist FAIL "$n entries of $clients clients to mark 9: $nbad clients on more than one dest"
	fi
	if [ "$no_sim" -eq 1 ]; then
		result fwmark SKIP "no simulator; $(($(wc -l <"$conn") - 1)) entries collected"
		return
	fi
	net_wmh_opts "$ts" "$hk" "$ph" "$of" "$sn"
	if ! "$sim" predict --config "$cmp/fwmark.config" --flows "$cmp/fwmark.flows" \
		--marks "$marks" "${net_opts[@]}" >"$cmp/fwmark.predict" 2>"$cmp/fwmark.sim.err"; then
		result fwmark FAIL "ipvs-sim predict --marks failed: $(head -c 300 "$cmp/fwmark.sim.err")"
		return
	fi
	status=0
	line=$(net_check fwmark "$cmp/fwmark.flows" "$cmp/fwmark.predict" "$conn" \
		"$cmp/fwmark.mismatches") || status=$?
	case $status in
	0) result fwmark PASS "${line#PASS fwmark: } (--marks fwmark.marks)" ;;
	1) result fwmark FAIL "${line#FAIL fwmark: }; first mismatches in $cmp/fwmark.mismatches" ;;
	*) result fwmark FAIL "flowgen check: $(head -c 300 "$cmp/fwmark.check.err")" ;;
	esac
	# Without the marks, flows go to VIP services or none: the case must
	# be able to fail.
	if ! "$sim" predict --config "$cmp/fwmark.config" --flows "$cmp/fwmark.flows" \
		"${net_opts[@]}" >"$cmp/fwmark.nomarks" 2>"$cmp/fwmark.nomarks.err"; then
		result fwmark-without-marks FAIL "ipvs-sim predict failed: $(head -c 300 "$cmp/fwmark.nomarks.err")"
		return
	fi
	status=0
	line=$(net_check fwmark-without-marks "$cmp/fwmark.flows" "$cmp/fwmark.nomarks" "$conn") ||
		status=$?
	if [ "$status" -eq 1 ]; then
		result fwmark-without-marks PASS "the prediction without --marks fails: ${line#FAIL fwmark-without-marks: }"
	else
		result fwmark-without-marks FAIL "without --marks: status $status: $line"
	fi
}

# net_reuse_kernel MODE: from the entries alone, how many reused ports
# (a 5-tuple of an earlier round) changed dest, per service.
net_reuse_kernel() {
	local m=$1 files=() line nat dr natr drr want mode
	while read -r mode _ list; do
		[ "$mode" = "$m" ] && files+=("$run/files/$list.conn")
	done <"$payload/net/reuse.rounds"
	line=$(awk 'FNR == 1 { next }
		{ k = $2 " " $3 " " $4; svc = ($4 == "0A002001") ? "nat" : "dr"
		  if (k in d) { reused[svc]++; if (d[k] != $6) moved[svc]++ }
		  d[k] = $6 }
		END { printf "%d %d %d %d\n", moved["nat"], reused["nat"], moved["dr"], reused["dr"] }' \
		"${files[@]}")
	read -r nat natr dr drr <<<"$line"
	want=FAIL
	case $m in
	0) [ "$nat" -ne 0 ] || [ "$dr" -ne 0 ] || want=PASS ;;
	1) [ "$nat" -eq 0 ] || [ "$dr" -ne 0 ] || want=PASS ;;
	2 | 3) [ "$nat" -eq 0 ] || [ "$dr" -eq 0 ] || want=PASS ;;
	esac
	result "reuse-$m-kernel" "$want" \
		"reused ports that changed dest: NAT $nat of $natr, DR $dr of $drr"
}

net_reuse() {
	local m=$1 n=reuse-$1 lists=() list mode line status k from alt
	while read -r mode _ list; do
		[ "$mode" = "$m" ] && lists+=("$list")
	done <"$payload/net/reuse.rounds"
	for list in "${lists[@]}"; do
		if [ ! -f "$run/files/$list.conn" ] || [ ! -f "$run/files/$list.info" ]; then
			result "$list" FAIL "the guest did not return the round's files"
			return
		fi
	done
	net_reuse_kernel "$m"
	net_config "$n-r1" || return
	: >"$cmp/$n.flows"
	for list in "${lists[@]}"; do
		cat "$payload/flows/$list.flows" >>"$cmp/$n.flows"
	done
	if [ "$no_sim" -eq 1 ]; then
		result "$n" SKIP "no simulator; $(wc -l <"$cmp/$n.flows") connections in ${#lists[@]} rounds collected"
		return
	fi
	if ! "$sim" predict --config "$cmp/$n-r1.config" --flows "$cmp/$n.flows" \
		--sysctl-file "$run/files/$n.sysctl" >"$cmp/$n.predict" 2>"$cmp/$n.sim.err"; then
		result "$n" FAIL "ipvs-sim predict --sysctl-file failed: $(head -c 300 "$cmp/$n.sim.err")"
		return
	fi
	from=1
	for list in "${lists[@]}"; do
		k=$(grep -c -v -E '^[[:space:]]*(#|$)' "$payload/flows/$list.flows")
		sed -n "${from},$((from + k - 1))p" "$cmp/$n.predict" >"$cmp/$list.predict"
		from=$((from + k))
		status=0
		line=$(net_check "$list" "$payload/flows/$list.flows" "$cmp/$list.predict" \
			"$run/files/$list.conn" "$cmp/$list.mismatches") || status=$?
		case $status in
		0) result "$list" PASS "${line#PASS "$list": }" ;;
		1) result "$list" FAIL "${line#FAIL "$list": }; first mismatches in $cmp/$list.mismatches" ;;
		*) result "$list" FAIL "flowgen check: $(head -c 300 "$cmp/$list.check.err")" ;;
		esac
		# What the NAT servers said they are, against the prediction.
		line=$(awk 'NR == FNR { p[$1 " " $2] = $3; next }
			$2 == "10.0.32.1:80" { n++; if (p[$1 " " $2] == $3) ok++ }
			END { printf "%d %d\n", n, ok }' "$cmp/$list.predict" "$run/files/$list.replies")
		if [ "${line% *}" -gt 0 ] && [ "${line% *}" = "${line#* }" ]; then
			result "$list-echo" PASS "${line% *} NAT connections: the server that answered is the predicted dest"
		else
			result "$list-echo" FAIL "${line#* } of ${line% *} NAT connections answered by the predicted dest"
		fi
	done
	# Another mode must predict otherwise somewhere, or the case could not
	# tell the modes apart (mode 2 differs from 1 only under DR).
	case $m in 0) alt=1 ;; 1) alt=2 ;; *) alt=1 ;; esac
	if ! "$sim" predict --config "$cmp/$n-r1.config" --flows "$cmp/$n.flows" \
		--sysctl "conn_reuse_mode=$alt" >"$cmp/$n.alt" 2>"$cmp/$n.alt.err"; then
		result "$n-vs-$alt" FAIL "ipvs-sim predict --sysctl conn_reuse_mode=$alt failed: $(head -c 300 "$cmp/$n.alt.err")"
		return
	fi
	k=$(paste -d' ' "$cmp/$n.predict" "$cmp/$n.alt" | awk '$3 != $6' | wc -l)
	if [ "$k" -gt 0 ]; then
		result "$n-vs-$alt" PASS "$k of $(wc -l <"$cmp/$n.predict") connections predicted otherwise under conn_reuse_mode=$alt"
	else
		result "$n-vs-$alt" FAIL "conn_reuse_mode=$alt predicts the same: the case cannot tell $m from $alt"
	fi
}

net_plan=" "
[ ! -f "$payload/plan" ] || net_plan=" $(tr '\n' ' ' <"$payload/plan") "
if [[ $net_plan == *" fwmark "* ]]; then
	if [ -f "$run/files/fwmark.info" ] && [ -f "$run/files/fwmark.conn" ]; then
		net_fwmark
	else
		result fwmark FAIL "the guest did not return fwmark's files"
	fi
fi
for net_m in 0 1 2 3; do
	[[ $net_plan != *" reuse-$net_m "* ]] || net_reuse "$net_m"
done
