# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # run, payload, cmp, sim, no_sim: the sourcing script's
#
# Host-side verdicts on the snapshot-roundtrip scenario (guest/scenario.sh;
# the rules are prepare.sh's cmds/snapshot-roundtrip.ipvsadm), sourced by
# compare.sh before its tally: it uses compare.sh's $run, $payload, $cmp,
# $sim, $no_sim and result(). The guest returns snapshot-roundtrip.sn and
# .ln (ipvsadm -Sn, -Ln --nosort), .snap and .json (ipvs-snapshot) and
# .restored.sn and .restored.snap (both again after ipvsadm -R of .snap
# into an empty table).
#
# Every file is reduced to one line per service and per real server with
# every field spelled out, defaults filled in (rt_canon), and held against
# the rules applied, field by field:
#   snapshot-roundtrip           ipvs-snapshot, real servers in list order
#   snapshot-roundtrip-sim       ipvs-sim config --config SNAPSHOT (what the
#                                simulator reads from it), in list order;
#                                -o, --pe and the tunnel options are not
#                                modelled (config-format.rst) and left out
#   snapshot-roundtrip-ipvsadm   ipvsadm -Sn (sorted servers) against the
#                                rules, then ipvs-snapshot against it in
#                                what -Sn shows
#   snapshot-roundtrip-restore-sn, -restore-snap
#                                the table rebuilt from the snapshot: its
#                                -Sn and snapshot equal the first ones
#   snapshot-roundtrip-json      the JSON dump against the rules, every
#                                field (-M, -o, --pe and the tunnel
#                                options included)
#   snapshot-roundtrip-control   the comparison itself: a copy of the rules
#                                with one field changed must differ
# A failure names the fields that differ and leaves a diff in
# compare/snapshot-roundtrip*.diff.

# rt_canon [--sort] [--drop "FIELD..."] FILE: ipvsadm rules (-A and -a
# lines, as -Sn, ipvs-snapshot, ipvs-sim config and ipvsadm -R take them)
# as lines
#   S ID sched=S flags=BITS persist=T|- mask=M|- ops=0|1 pe=NAME|-
#   D ID -> SERVER fwd=m|g|i w=W x=X y=Y tun=TYPE,PORT,CSUM|-
# sorted by service ID ("tcp ADDR:PORT", "fwm MARK v6"), a service's real
# servers in the file's order (--sort: by address). Defaults as ipvsadm's:
# -s wlc, -p 300, -w 1, -g, a mask of /32 (/128) shown as -, a server
# without port taking the service's (0 for fwmark), tunnel ipip with
# nocsum for gue and gre. --drop prints FIELD=* for each FIELD named.
rt_canon() {
	local sort=0 drop=
	while [ $# -gt 1 ]; do
		case $1 in
		--sort) sort=1; shift ;;
		--drop) drop=$2; shift 2 ;;
		*) break ;;
		esac
	done
	awk -v drop="$drop" -v sortd="$sort" '
		function bits(list,   n, a, i, b) {
			n = split(list, a, ",")
			b = 0
			for (i = 1; i <= n; i++) {
				if (a[i] ~ /^(flag-1|mh-fallback|sh-fallback)$/) b += 1
				else if (a[i] ~ /^(flag-2|mh-port|sh-port)$/) b += 2
				else if (a[i] == "flag-3") b += 4
				else bad("unknown scheduler flag " a[i])
			}
			return b
		}
		function bad(msg) {
			printf "rt_canon: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
			err = 1
		}
		function f(name, value) {
			return " " name "=" ((" " drop " ") ~ (" " name " ") ? "*" : value)
		}
		function arg() {
			if (i >= NF) bad("option " $i " needs an argument")
			return $(++i)
		}
		/^[[:space:]]*(#|$)/ { next }
		{
			cmd = ""; proto = ""; addr = ""; v6 = 0; sched = "wlc"; flags = 0
			persist = "-"; mask = "-"; ops = 0; pe = "-"; server = ""; fwd = "g"
			w = 1; x = 0; y = 0; tt = "ipip"; tport = 0; tcsum = ""
			for (i = 1; i <= NF; i++) {
				o = $i
				if (i == 1 && o == "ipvsadm") continue
				if (o == "-A" || o == "--add-service") cmd = "S"
				else if (o == "-a" || o == "--add-server") cmd = "D"
				else if (o == "-t" || o == "--tcp-service") { proto = "tcp"; addr = arg() }
				else if (o == "-u" || o == "--udp-service") { proto = "udp"; addr = arg() }
				else if (o == "--sctp-service") { proto = "sctp"; addr = arg() }
				else if (o == "-f" || o == "--fwmark-service") { proto = "fwm"; addr = arg() }
				else if (o == "-6" || o == "--ipv6") v6 = 1
				else if (o == "-s" || o == "--scheduler") sched = arg()
				else if (o == "-b" || o == "--sched-flags") flags = bits(arg())
				else if (o == "-p" || o == "--persistent") {
					persist = 300
					if (i < NF && $(i + 1) ~ /^[0-9]+$/) persist = $(++i)
				} else if (o == "-M" || o == "--netmask") mask = arg()
				else if (o == "-o" || o == "--ops") ops = 1
				else if (o == "--pe") pe = arg()
				else if (o == "-r" || o == "--real-server") server = arg()
				else if (o == "-g" || o == "--gatewaying") fwd = "g"
				else if (o == "-i" || o == "--ipip") fwd = "i"
				else if (o == "-m" || o == "--masquerading") fwd = "m"
				else if (o == "-w" || o == "--weight") w = arg()
				else if (o == "-x" || o == "--u-threshold") x = arg()
				else if (o == "-y" || o == "--l-threshold") y = arg()
				else if (o == "--tun-type") tt = arg()
				else if (o == "--tun-port") tport = arg()
				else if (o ~ /^--tun-(no|rem)?csum$/) tcsum = substr(o, 7)
				else bad("unknown word " o)
			}
			if (cmd == "" || proto == "") { bad("no -A or -a with a service"); next }
			if (proto == "fwm") {
				id = "fwm " addr (v6 ? " v6" : " v4"); sport = 0
			} else {
				id = proto " " addr; sport = addr; sub(/.*:/, "", sport)
				v6 = (addr ~ /^\[/)
			}
			if (cmd == "S") {
				if (persist == "-") mask = "-"
				else if (mask == (v6 ? "128" : "255.255.255.255")) mask = "-"
				printf "%s\t\tS %s%s%s%s%s%s%s\n", id, id, f("sched", sched),
					f("flags", flags), f("persist", persist), f("mask", mask),
					f("ops", ops), f("pe", pe)
				next
			}
			if (server == "") { bad("-a without -r"); next }
			if (server !~ /(\]|^[0-9.]+):[0-9]+$/) server = server ":" sport
			if (fwd != "i") tun = "-"
			else if (tt == "ipip") tun = "ipip"
			else tun = tt "," (tt == "gue" ? tport : "-") "," (tcsum == "" ? "nocsum" : tcsum)
			printf "%s\t%s\tD %s -> %s%s%s%s%s%s\n", id, sortd ? server : sprintf("%06d", ++n[id]), id, server,
				f("fwd", fwd), f("w", w), f("x", x), f("y", y), f("tun", tun)
		}
		END { exit err }' "$1" | LC_ALL=C sort -t "$(printf '\t')" -s -k1,1 -k2,2 | cut -f3
}

# rt_fields A B: for canonical files of the same lines, the fields that
# differ ("mask (2 lines) tun (3 lines)"); empty if the lines do not pair
# up (services or servers missing: the diff says which).
rt_fields() {
	awk 'NR == FNR { a[FNR] = $0; na = FNR; next }
		{ b[FNR] = $0; nb = FNR }
		END {
			if (na != nb) exit
			for (i = 1; i <= na; i++) {
				n = split(a[i], x, " "); m = split(b[i], y, " ")
				if (n != m || x[1] != y[1]) exit
				for (k = 2; k <= n; k++)
					if (x[k] != y[k]) {
						name = x[k]; sub(/=.*/, "", name)
						if (!(name in c)) order[++no] = name
						c[name]++
					}
			}
			for (k = 1; k <= no; k++)
				printf "%s%s (%d line%s)", (k > 1 ? ", " : ""), order[k], c[order[k]],
					(c[order[k]] > 1 ? "s" : "")
		}' "$1" "$2"
}

# rt_compare CASE WHAT WANT HAVE: PASS if the canonical files agree, else
# FAIL naming the fields that differ and the first differing lines, with
# the diff in $cmp/CASE.diff.
rt_compare() {
	local case=$1 what=$2 want=$3 have=$4 fields first
	if diff -u "$want" "$have" >"$cmp/$case.diff"; then
		result "$case" PASS "$what: $(grep -c '^S' "$want") services, $(grep -c '^D' "$want") real servers, every field equal"
		return 0
	fi
	fields=$(rt_fields "$want" "$have")
	first="want '$(grep -m 1 -E '^-[SD] ' "$cmp/$case.diff" | cut -c2-)', have '$(grep -m 1 -E '^\+[SD] ' "$cmp/$case.diff" | cut -c2-)'"
	result "$case" FAIL "$what: differ in ${fields:-the services or real servers listed}; first: $first; diff in $cmp/$case.diff"
	return 1
}

roundtrip_check() {
	local n=snapshot-roundtrip f=$run/files/snapshot-roundtrip rules want
	rules=$payload/cmds/$n.ipvsadm
	want=$cmp/$n.want
	[ -f "$f.sn" ] || return 0
	if ! rt_canon "$rules" >"$want" 2>"$cmp/$n.canon.err"; then
		result "$n" FAIL "the payload's rules not understood: $(head -c 300 "$cmp/$n.canon.err")"
		return
	fi

	# The comparison must see a change in each kind of field.
	local ctl bad=0 mut
	for mut in 's/ -M 255.255.255.0//' 's/^(-A -f 51) -6/\1/' 's/ -x 100 / /' \
		's/(172.26.1.3:80) -i/\1 -g/' 's/ --tun-type gre/ --tun-type ipip/' \
		's/mh-fallback,mh-port/mh-port/' 's/ -p 120/ -p 121/' 's/ -o$//' \
		's/(172.26.1.1):8080/\1:8082/' 's/ -w 65535 -x 7/ -w 65534 -x 7/'; do
		ctl=$(sed -E "$mut" "$rules" | rt_canon /dev/stdin 2>/dev/null | diff "$want" - | grep -c '^>') || true
		if [ "$ctl" -ne 1 ]; then
			bad=$((bad + 1))
			echo "sed -E '$mut': $ctl lines differ, 1 expected" >>"$cmp/$n-control.txt"
		fi
	done
	if [ "$bad" -eq 0 ]; then
		result "$n-control" PASS "each of 10 one-field changes to the rules makes exactly one line differ"
	else
		result "$n-control" FAIL "$bad of 10 one-field changes not seen as one line: $cmp/$n-control.txt"
	fi

	# ipvsadm -Sn against the rules. ipvsadm 1.31 prints no thresholds
	# (-x, -y), so they are left out there, and its servers are sorted.
	local sn=$cmp/$n.sn.canon want_sorted=$cmp/$n.want-sorted
	rt_canon --sort --drop "x y" "$f.sn" >"$sn" 2>"$cmp/$n.sn.err" ||
		result "$n-ipvsadm" FAIL "ipvsadm -Sn not understood: $(head -c 300 "$cmp/$n.sn.err")"
	rt_canon --sort --drop "x y" "$rules" >"$want_sorted"
	rt_compare "$n-ipvsadm" "ipvsadm -Sn (thresholds left out: 1.31 prints none) against the rules applied" \
		"$want_sorted" "$sn" || true

	if [ ! -f "$f.snap" ]; then
		result "$n" SKIP "no ipvs-snapshot in the initramfs (run-all.sh --snapshot)"
		return
	fi
	local snap=$cmp/$n.snap.canon
	if ! rt_canon "$f.snap" >"$snap" 2>"$cmp/$n.snap.err"; then
		result "$n" FAIL "the snapshot is not ipvsadm -R input: $(head -c 300 "$cmp/$n.snap.err")"
		return
	fi
	rt_compare "$n" "ipvs-snapshot against the rules applied" "$want" "$snap" || true
	rt_canon --sort --drop "x y" "$f.snap" >"$cmp/$n.snap-sorted.canon"
	rt_compare "$n-vs-sn" "ipvs-snapshot against ipvsadm -Sn (thresholds left out)" \
		"$sn" "$cmp/$n.snap-sorted.canon" || true

	# What the simulator reads from the snapshot.
	if [ "$no_sim" -eq 1 ]; then
		result "$n-sim" SKIP "no simulator"
	elif ! "$sim" config --config "$f.snap" >"$cmp/$n.sim" 2>"$cmp/$n.sim.err"; then
		result "$n-sim" FAIL "ipvs-sim config --config (the snapshot) failed: $(head -c 300 "$cmp/$n.sim.err")"
	else
		rt_canon --drop "ops pe tun" "$rules" >"$cmp/$n.want-sim"
		rt_canon --drop "ops pe tun" "$cmp/$n.sim" >"$cmp/$n.sim.canon"
		rt_compare "$n-sim" "ipvs-sim config of the snapshot against the rules applied (-o, --pe and tunnel options are not modelled)" \
			"$cmp/$n.want-sim" "$cmp/$n.sim.canon" || true
	fi

	# The table rebuilt from the snapshot.
	if [ -f "$f.restored.snap" ] && [ -f "$f.restored.sn" ]; then
		rt_canon --sort "$f.sn" >"$cmp/$n.sn-full.canon"
		rt_canon --sort "$f.restored.sn" >"$cmp/$n.restored-sn.canon" 2>/dev/null || true
		rt_canon "$f.restored.snap" >"$cmp/$n.restored-snap.canon" 2>/dev/null || true
		rt_compare "$n-restore-sn" "ipvsadm -Sn of the table restored from the snapshot against the first" \
			"$cmp/$n.sn-full.canon" "$cmp/$n.restored-sn.canon" || true
		rt_compare "$n-restore-snap" "ipvs-snapshot of the table restored from the snapshot against the first" \
			"$snap" "$cmp/$n.restored-snap.canon" || true
	fi

	# The JSON dump: real servers head first, so reversed here; "flags" is
	# the kernel's IP_VS_SVC_F_SCHED1..3 bits (8, 16, 32). Every field of
	# the rules must have its member: -M as "netmask", -o as "one_packet",
	# --pe as "pe", the tunnel options as a real server's "tunnel".
	local json=$cmp/$n.json.canon
	if [ ! -f "$f.json" ]; then
		result "$n-json" FAIL "the guest returned no JSON dump"
	elif ! jq -r '
		.services[] |
		(if .persistence > 0 then "-p \(.persistence)" +
			(if .netmask == "255.255.255.255" or .netmask == 128 then "" else " -M \(.netmask)" end)
		 else "" end) as $p |
		(if .fwmark then "-f \(.fwmark)" + (if .family == "ipv6" then " -6" else "" end)
		 else (if .protocol == "udp" then "-u" elif .protocol == "sctp" then "--sctp-service" else "-t" end) + " \(.vip)"
		 end) as $svc |
		([(.flags | if (. / 8 | floor) % 2 == 1 then "flag-1" else empty end),
		  (.flags | if (. / 16 | floor) % 2 == 1 then "flag-2" else empty end),
		  (.flags | if (. / 32 | floor) % 2 == 1 then "flag-3" else empty end)] | join(",")) as $fl |
		"-A \($svc) -s \(.scheduler)" + (if $fl != "" then " -b " + $fl else "" end) +
			(if $p != "" then " " + $p else "" end) +
			(if .one_packet then " -o" else "" end) +
			(if .pe then " --pe \(.pe)" else "" end),
		(.dests | reverse | .[] |
		 "-a \($svc) -r \(.server) -\(.forward) -w \(.weight) -x \(.u_threshold) -y \(.l_threshold)" +
		 (if .tunnel then " --tun-type \(.tunnel.type)" +
			(if .tunnel.port then " --tun-port \(.tunnel.port)" else "" end) +
			(if .tunnel.checksum then " --tun-\(.tunnel.checksum)" else "" end)
		  else "" end))
		' "$f.json" >"$cmp/$n.json.rules" 2>"$cmp/$n.json.err"; then
		result "$n-json" FAIL "the JSON dump does not parse: $(head -c 300 "$cmp/$n.json.err")"
	else
		rt_canon "$cmp/$n.json.rules" >"$json"
		rt_compare "$n-json" "the JSON dump against the rules applied, every field" \
			"$want" "$json" || true
	fi
}

roundtrip_check
