# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The fwmark and connection reuse scenarios, sourced by scenario.sh (which
# has sourced lib.sh and run net_setup in this scenario's namespace):
# net_scenario NAME runs one of them. Inputs from tests/vm/prepare-net.sh
# (/data/net/, /data/cmds/, /data/flows/). Each returns, without a BURST
# record (compare.sh would predict it without --marks or --sysctl),
# NAME.info ("NAME LIST,LIST... TABLE_SIZE HASH_KEY PORT_HASH OVERFLOW
# SCHED_NAME", the fields of a BURST record), NAME.ln, NAME.sn, NAME.snap
# and NAME.conn; tests/vm/compare-net.sh finds them by their names.

# net_sched_ready CASE: ip_vs_wmh registered as wmh and the in-tree mh
# loadable. A drop-in or keepalived scenario before may have left ip_vs_wmh
# loaded as mh and its modprobe file enabled; then, as init's sched_reset
# does, the files go and ip_vs_wmh is reloaded with its defaults.
net_sched_ready() {
	rm -f /etc/modprobe.d/*.conf
	_sn=$(cat /sys/module/ip_vs_wmh/parameters/sched_name 2>/dev/null || echo none)
	[ "$_sn" = wmh ] && return 0
	if [ -d /sys/module/ip_vs_wmh ] && ! rmmod_retry ip_vs_wmh; then
		result "$1-sched" FAIL "ip_vs_wmh loaded as $_sn and busy: $(cat /tmp/rmmod.err)"
		return 1
	fi
	if ! insmod "$WMH_KO" 2>/tmp/insmod.err; then
		result "$1-sched" FAIL "insmod ip_vs_wmh.ko: $(cat /tmp/insmod.err)"
		return 1
	fi
	result "$1-sched" PASS "ip_vs_wmh was loaded as $_sn: reloaded as wmh, modprobe.d emptied"
}

# net_emit NAME LIST...: the rules, the ip_vs_conn entries of the lists'
# flows and NAME.info.
net_emit() {
	_name=$1
	shift
	_paths=
	_lists=
	for _l in "$@"; do
		_paths="$_paths $DATA/flows/$_l.flows"
		_lists="${_lists:+$_lists,}$_l"
	done
	ipvsadm -Ln --nosort >/tmp/net.ln 2>&1
	ipvsadm -Sn >/tmp/net.sn 2>&1
	# shellcheck disable=SC2086 # _paths is a list of paths without blanks
	flowgen pick $_paths >/tmp/net.conn 2>/tmp/pick.err ||
		result "pick-$_name" FAIL "flowgen pick: $(head -c 300 /tmp/pick.err)"
	echo "$_name $_lists $(wmh_params)" >/tmp/net.info
	emit_file "$_name.info" /tmp/net.info
	emit_file "$_name.ln" /tmp/net.ln
	emit_file "$_name.sn" /tmp/net.sn
	if command -v ipvs-snapshot >/dev/null; then
		ipvs-snapshot -o /tmp/net.snap 2>/tmp/net.snap.err ||
			cp /tmp/net.snap.err /tmp/net.snap
		emit_file "$_name.snap" /tmp/net.snap
	fi
	emit_gz "$_name.conn" /tmp/net.conn
}

# net_emit_sysctl NAME: this namespace's IPVS sysctls, as sysctl -a prints
# them (NAME.sysctl, for ipvs-sim --sysctl-file).
net_emit_sysctl() {
	for _f in /proc/sys/net/ipv4/vs/*; do
		_v=$(cat "$_f" 2>/dev/null) || continue
		echo "net.ipv4.vs.${_f##*/} = $_v"
	done >/tmp/net.sysctl
	emit_file "$1.sysctl" /tmp/net.sysctl
}

# fwmark: nft marks the flows of the local clients (/data/net/fwmark.nft,
# derived on the host from fwmark.marks, in a route chain at the output
# hook, which runs before IPVS's LOCAL_OUT hooks); fwmark services of two
# ports and two protocols on one VIP (wmh, IPv4), an IPv6 one (mh
# mh-port), a persistent one (-p 300) and two VIP services, one shadowed
# by a fwmark service, one reached because its mark has no service.
scenario_fwmark() {
	net_sched_ready fwmark || return 1
	if ! modprobe nf_tables 2>/tmp/nft.err || ! nft -f "$DATA/net/fwmark.nft" 2>>/tmp/nft.err; then
		result fwmark-nft FAIL "$(head -c 300 /tmp/nft.err | tr '\n' '|')"
		return 1
	fi
	nft list ruleset >/tmp/nft.list 2>&1
	result fwmark-nft PASS "$(grep -c 'meta mark set' /tmp/nft.list) mark rules loaded"
	emit_file fwmark.nft-list /tmp/nft.list
	apply fwmark fwmark || return 1
	_lists=$(cat "$DATA/net/fwmark.lists")
	_paths=
	for _l in $_lists; do
		_paths="$_paths $DATA/flows/$_l.flows"
	done
	# shellcheck disable=SC2086 # paths without blanks
	if ! flowgen send $_paths 2>/tmp/send.err; then
		result send-fwmark FAIL "flowgen send: $(head -c 300 /tmp/send.err)"
	fi
	log "fwmark: $(tail -n 1 /tmp/send.err)"
	# shellcheck disable=SC2086 # list names without blanks
	net_emit fwmark $_lists
	ipvsadm -C
	nft flush ruleset
}

# reuse_states LIST: the states of LIST's entries (the last net_emit), per
# VIP: "10.0.32.1:80 TIME_WAIT=6" and so on.
reuse_states() {
	awk 'NR > 1 { n[$4 ":" $5 " " $8]++ }
		END { for (k in n) print k, n[k] }' /tmp/net.conn | sort |
		awk '{ printf "%s%s %s=%d", sep, $1, $2, $3; sep = "; " }'
}

# net_step CMD...: runs CMD, its errors and the failed command to
# /tmp/reuse.err.
net_step() {
	"$@" 2>>/tmp/reuse.err && return 0
	echo "failed: $*" | head -c 100 >>/tmp/reuse.err
	return 1
}

# net_ns: starts a process in a new network namespace (unshare -n) and
# prints its PID once the namespace is there.
net_ns() {
	unshare -n sleep 100000 </dev/null >/dev/null 2>&1 &
	_p=$!
	_i=0
	while [ "$(readlink "/proc/$_p/ns/net")" = "$(readlink /proc/self/ns/net)" ] &&
		[ "$_i" -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "$_p"
}

# net_veth A PID B [PID_A]: a veth pair, end A here (or in PID_A's
# namespace), end B moved into PID's namespace. busybox ip has no "peer
# name": the kernel names the peer (veth0), `ip -o link` shows PEER@A.
net_veth() {
	net_step ip link add "$1" type veth || return 1
	_peer=$(ip -o link show | sed -n "s/^[0-9]*: *\([^@:]*\)@$1.*/\1/p")
	[ -n "$_peer" ] || { echo "no peer of $1" >>/tmp/reuse.err; return 1; }
	net_step ip link set "$_peer" name "$3" &&
		net_step ip link set "$3" netns "$2" || return 1
	[ -z "$4" ] || net_step ip link set "$1" netns "$4"
}

# reuse-N: conn_reuse_mode N with whole TCP connections whose state changes
# are the kernel's own. Namespaces: this one (the director), the real
# servers' (10.201.0.1-4 on rv1, the DR VIP 10.0.33.1 on lo, arp_ignore 1,
# arp_announce 2; default gateway the director) and the DR clients' (rc1:
# 10.202.0.1, default gateway the director; rs1: 10.203.0.254, the link the
# servers answer DR clients over), each a sleeping `unshare -n` process,
# the veth ends moved in by its PID, commands run with busybox nsenter.
# `flowgen listen --echo` on ports 8080 (NAT) and 80 (DR) in the servers'
# namespace accepts, writes its address and closes, so the server side holds
# TIME_WAIT and the client may reuse its port. Services: rr over the 4
# servers, NAT (-m; clients local to the director: 10.99.32.x) and DR (-g;
# VIP local to the director; clients 10.98.33.x in their namespace). Three
# rounds of flowgen connect (NAT here, DR in the clients' namespace); after
# each the entries (each 5-tuple once per round) and the states the kernel
# left them in: TIME_WAIT under NAT (the director sees both halves),
# FIN_WAIT under DR (only the client's half).
scenario_reuse() {
	_m=$1
	_n=reuse-$_m
	if ! echo "$_m" >/proc/sys/net/ipv4/vs/conn_reuse_mode ||
		[ "$(cat /proc/sys/net/ipv4/vs/conn_reuse_mode)" != "$_m" ]; then
		result "$_n" FAIL "cannot set net.ipv4.vs.conn_reuse_mode=$_m"
		return 1
	fi
	modprobe veth || { result "$_n" FAIL "modprobe veth failed"; return 1; }
	: >/tmp/reuse.err
	_spid=$(net_ns)
	_cpid=$(net_ns)
	# shellcheck disable=SC2016 # the sh -c scripts expand their own $i, $c
	if ! net_veth rv0 "$_spid" rv1 || ! net_veth rc0 "$_cpid" rc1 ||
		! net_veth rs0 "$_cpid" rs1 "$_spid" ||
		! net_step ip addr add 10.201.0.254/24 dev rv0 ||
		! net_step ip link set rv0 up ||
		! net_step ip addr add 10.202.0.254/24 dev rc0 ||
		! net_step ip link set rc0 up ||
		! net_step ip addr add 10.0.33.1/32 dev lo ||
		! net_step nsenter -t "$_spid" -n sh -c '
			ip link set lo up && ip link set rv1 up && ip link set rs0 up &&
			for i in 1 2 3 4; do ip addr add 10.201.0.$i/24 dev rv1 || exit 1; done &&
			ip addr add 10.203.0.1/24 dev rs0 &&
			ip addr add 10.0.33.1/32 dev lo &&
			for c in all rv1 rs0; do
				echo 1 >/proc/sys/net/ipv4/conf/$c/arp_ignore &&
				echo 2 >/proc/sys/net/ipv4/conf/$c/arp_announce || exit 1
			done &&
			ip route add default via 10.201.0.254 &&
			ip route add 10.98.0.0/16 via 10.203.0.254' ||
		! net_step nsenter -t "$_cpid" -n sh -c '
			ip link set lo up && ip link set rc1 up && ip link set rs1 up &&
			ip addr add 10.202.0.1/24 dev rc1 &&
			ip addr add 10.203.0.254/24 dev rs1 &&
			ip route add default via 10.202.0.254 &&
			ip route add local 10.98.0.0/16 dev lo'; then
		result "$_n" FAIL "namespaces: $(head -c 300 /tmp/reuse.err | tr '\n' '|')"
		kill "$_spid" "$_cpid"
		return 1
	fi
	nsenter -t "$_spid" -n flowgen listen --echo 0.0.0.0:8080 0.0.0.0:80 &
	_lpid=$!
	_i=0
	while [ "$(nsenter -t "$_spid" -n cat /proc/net/tcp | awk '$4 == "0A"' | wc -l)" -lt 2 ] &&
		[ "$_i" -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	apply "$_n" reuse || return 1
	net_emit_sysctl "$_n"
	_t0=$(now)
	_ok=0
	_bad=0
	while read -r _mode _round _list; do
		[ "$_mode" = "$_m" ] || continue
		_f=$DATA/flows/$_list.flows
		grep ' 10\.0\.32\.1:80 ' "$_f" >/tmp/reuse-nat.flows
		grep ' 10\.0\.33\.1:80 ' "$_f" >/tmp/reuse-dr.flows
		if flowgen connect --timeout 3 /tmp/reuse-nat.flows \
			>"/tmp/$_list.replies" 2>/tmp/connect.err &&
			nsenter -t "$_cpid" -n flowgen connect --timeout 3 /tmp/reuse-dr.flows \
				>>"/tmp/$_list.replies" 2>>/tmp/connect.err; then
			_ok=$((_ok + 1))
		else
			_bad=$((_bad + 1))
			result "$_list-connect" FAIL "$(head -c 300 /tmp/connect.err | tr '\n' '|')"
		fi
		log "$_list: $(tr '\n' ' ' </tmp/connect.err)"
		net_emit "$_list" "$_list"
		emit_file "$_list.replies" "/tmp/$_list.replies"
		_st=$(reuse_states)
		# Every NAT entry in TIME_WAIT, every DR one in FIN_WAIT, none missing.
		_want="10.0.32.1:0050 TIME_WAIT=$(wc -l </tmp/reuse-nat.flows); 10.0.33.1:0050 FIN_WAIT=$(wc -l </tmp/reuse-dr.flows)"
		_have=$(echo "$_st" | sed 's/0A002001:/10.0.32.1:/; s/0A002101:/10.0.33.1:/')
		if [ "$_have" = "$_want" ]; then
			result "$_list-states" PASS "$_have"
		else
			result "$_list-states" FAIL "entries: $_have; expected $_want"
		fi
	done <"$DATA/net/reuse.rounds"
	log "$_n: $_ok rounds connected, $_bad failed, $_t0 -> $(now)"
	kill "$_lpid" "$_spid" "$_cpid" 2>/dev/null
	wait "$_lpid" "$_spid" "$_cpid" 2>/dev/null
	ipvsadm -C
}

# net_scenario NAME: the dispatcher's entry (scenario.sh).
net_scenario() {
	case $1 in
	fwmark) scenario_fwmark ;;
	reuse-[0-3]) scenario_reuse "${1#reuse-}" ;;
	*) result "$1" FAIL "no such scenario in scenario-net.sh" ;;
	esac
}
