# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The whatif scenario (issue 11), sourced by scenario.sh after
# scenario-net.sh (net_ns, net_veth, net_step, net_emit_sysctl,
# net_sched_ready); inputs from tests/vm/prepare-whatif.sh, host checks in
# tests/vm/compare-whatif.sh.
#
# Real servers in a namespace of their own (10.210.0.1-8 on wv1, default
# gateway the director) run `flowgen listen --hold` on port 8080: each
# connection stays open and echoes what it reads. Under
# expire_nodest_conn=1 the director serves a TCP wmh service (8 servers)
# and a TCP rr one (4), NAT, to clients local to it. `flowgen connect
# --hold` opens every connection of the two lists and keeps them
# ESTABLISHED; the guest saves the rules (-Ln --nosort, -Sn, the sysctls)
# and /proc/net/ip_vs_conn (whatif-before.conn), applies the change
# (cmds/whatif-change.ipvsadm: a wmh server deleted, one reweighted, an rr
# server deleted) and reads the table again (whatif-changed.conn: the
# kernel expires a deleted server's entries from a work the deletion
# queues, without waiting for a packet). Then every connection
# sends a probe and waits 3 s for the echo (whatif.probe: ok, timeout,
# reset per connection): a packet on an entry of a deleted server expires
# it, and the packet, no SYN, is not scheduled again. The table after the
# probe (whatif-after.conn) holds the entries the kernel kept. UDP: the
# datagrams of whatif-udp and whatif-fwm (marked 50 by nft for the fwmark
# service) are sent before the change and again after it
# (whatif-resent.conn): a deleted dest's entries are scheduled afresh. Last, new
# connections from the wmh clients' addresses (other ports) are held too
# and the table read with the rules after the change (whatif-new.*): the
# host predicts them and measures how many clients moved.
whatif_fail() {
	result whatif FAIL "$1: $(head -c 300 /tmp/whatif.err | tr '\n' '|')"
}

# whatif_wait FILE PATTERN TENTHS: polls until FILE has a line matching
# PATTERN, at most TENTHS tenths of a second; 1 if it never does.
whatif_wait() {
	_i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ "$_i" -lt "$3" ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

# The servers' namespace and its listener: sets _spid and _lpid.
whatif_servers() {
	modprobe veth 2>>/tmp/whatif.err || return 1
	_spid=$(net_ns)
	# shellcheck disable=SC2016 # the sh -c script expands its own $i
	net_veth wv0 "$_spid" wv1 &&
		net_step ip addr add 10.210.0.254/24 dev wv0 &&
		net_step ip link set wv0 up &&
		net_step nsenter -t "$_spid" -n sh -c '
			ip link set lo up && ip link set wv1 up &&
			for i in 1 2 3 4 5 6 7 8; do ip addr add 10.210.0.$i/24 dev wv1 || exit 1; done &&
			ip route add default via 10.210.0.254' || return 1
	nsenter -t "$_spid" -n flowgen listen --hold 0.0.0.0:8080 2>>/tmp/whatif.err &
	_lpid=$!
	_i=0
	while [ "$(nsenter -t "$_spid" -n cat /proc/net/tcp | awk '$4 == "0A"' | wc -l)" -lt 1 ]; do
		[ "$_i" -lt 100 ] || return 1
		sleep 0.05
		_i=$((_i + 1))
	done
}

# whatif_settled: waits (at most 5 s) until two reads of ip_vs_conn a
# tenth of a second apart are equal: entries deleted during a read make
# the seq_file skip live ones (tests/vm/README.md).
whatif_settled() {
	cat /proc/net/ip_vs_conn >/tmp/whatif.s1
	_i=0
	while [ "$_i" -lt 50 ]; do
		sleep 0.1
		cat /proc/net/ip_vs_conn >/tmp/whatif.s2
		cmp -s /tmp/whatif.s1 /tmp/whatif.s2 && return 0
		mv /tmp/whatif.s2 /tmp/whatif.s1
		_i=$((_i + 1))
	done
}

# whatif_conn NAME: this namespace's ip_vs_conn to /tmp/NAME and the host.
whatif_conn() {
	cat /proc/net/ip_vs_conn >"/tmp/$1"
	emit_gz "$1" "/tmp/$1"
}

# New connections after the change, held while the table is read.
whatif_new() {
	rm -f /tmp/whatif-new.ctl
	mkfifo /tmp/whatif-new.ctl
	flowgen connect --hold --timeout 3 "$DATA/flows/whatif-new.flows" \
		</tmp/whatif-new.ctl >/tmp/whatif-new.hold 2>/tmp/whatif-new.err &
	_npid=$!
	exec 5>/tmp/whatif-new.ctl
	_nn=$(grep -vc '^#' "$DATA/flows/whatif-new.flows")
	if whatif_wait /tmp/whatif-new.hold '^held ' 1200 &&
		grep -q "^held $_nn of $_nn\$" /tmp/whatif-new.hold; then
		result whatif-new-held PASS "$_nn new connections after the change held"
	else
		result whatif-new-held FAIL "$(head -n 1 /tmp/whatif-new.hold): $(head -c 300 /tmp/whatif-new.err | tr '\n' '|')"
	fi
	ipvsadm -Ln --nosort >/tmp/whatif-new.ln 2>&1
	ipvsadm -Sn >/tmp/whatif-new.sn 2>&1
	emit_file whatif-new.ln /tmp/whatif-new.ln
	emit_file whatif-new.sn /tmp/whatif-new.sn
	whatif_settled
	whatif_conn whatif-new.conn
	exec 5>&-
	wait "$_npid"
}

scenario_whatif() {
	: >/tmp/whatif.err
	net_sched_ready whatif || return 1
	if ! whatif_servers; then
		whatif_fail "servers"
		kill "$_lpid" "$_spid" 2>/dev/null
		return 1
	fi
	echo 1 >/proc/sys/net/ipv4/vs/expire_nodest_conn
	if ! modprobe nf_tables 2>>/tmp/whatif.err || ! nft -f "$DATA/net/whatif.nft" 2>>/tmp/whatif.err; then
		whatif_fail "nft"
		return 1
	fi
	apply whatif whatif-setup || return 1
	flowgen send --quiet "$DATA/flows/whatif-udp.flows" "$DATA/flows/whatif-fwm.flows" 2>>/tmp/whatif.err ||
		result whatif-udp-send FAIL "$(head -c 300 /tmp/whatif.err | tr '\n' '|')"
	rm -f /tmp/whatif.ctl /tmp/whatif.hold
	mkfifo /tmp/whatif.ctl
	_t0=$(now)
	flowgen connect --hold --timeout 3 "$DATA/flows/whatif-wmh.flows" \
		"$DATA/flows/whatif-rr.flows" </tmp/whatif.ctl >/tmp/whatif.hold 2>/tmp/whatif.hold.err &
	_hpid=$!
	exec 4>/tmp/whatif.ctl
	_n=$(cat "$DATA/flows/whatif-wmh.flows" "$DATA/flows/whatif-rr.flows" | grep -vc '^#')
	if ! whatif_wait /tmp/whatif.hold '^held ' 1200; then
		result whatif-held FAIL "no 'held' line in 120 s: $(head -c 300 /tmp/whatif.hold.err | tr '\n' '|')"
	elif grep -q "^held $_n of $_n\$" /tmp/whatif.hold; then
		result whatif-held PASS "$_n connections ESTABLISHED and held ($_t0 -> $(now))"
	else
		result whatif-held FAIL "$(head -n 1 /tmp/whatif.hold): $(head -c 300 /tmp/whatif.hold.err | tr '\n' '|')"
	fi
	ipvsadm -Ln --nosort >/tmp/whatif.ln 2>&1
	ipvsadm -Sn >/tmp/whatif.sn 2>&1
	emit_file whatif.ln /tmp/whatif.ln
	emit_file whatif.sn /tmp/whatif.sn
	net_emit_sysctl whatif
	whatif_conn whatif-before.conn
	# The same question asked on the director: the live configuration over
	# netlink (no --config), the host's rules file being the other way.
	if command -v ipvs-sim >/dev/null; then
		ipvs-sim whatif --conns /tmp/whatif-before.conn --sysctl-file /tmp/net.sysctl \
			--marks "$DATA/net/whatif.marks" --change "$DATA/cmds/whatif-change.ipvsadm" \
			--list --json >/tmp/whatif-live.json 2>/tmp/whatif-live.err ||
			result whatif-live FAIL "ipvs-sim whatif (live): $(head -c 300 /tmp/whatif-live.err | tr '\n' '|')"
		emit_gz whatif-live.json /tmp/whatif-live.json
	fi
	apply whatif-change whatif-change
	whatif_settled
	whatif_conn whatif-changed.conn
	echo probe >&4
	whatif_wait /tmp/whatif.hold '^probed$' 600 ||
		result whatif-probe FAIL "no 'probed' line in 60 s: $(head -c 300 /tmp/whatif.hold.err | tr '\n' '|')"
	whatif_settled
	whatif_conn whatif-after.conn
	flowgen send --quiet "$DATA/flows/whatif-udp.flows" "$DATA/flows/whatif-fwm.flows" 2>>/tmp/whatif.err ||
		result whatif-udp-resend FAIL "$(head -c 300 /tmp/whatif.err | tr '\n' '|')"
	whatif_settled
	whatif_conn whatif-resent.conn
	whatif_new
	exec 4>&-
	wait "$_hpid"
	emit_file whatif.probe /tmp/whatif.hold
	log "whatif: $(awk 'NF == 3 { n[$3]++ } END { for (v in n) printf "%s=%d ", v, n[v] }' /tmp/whatif.hold), $_t0 -> $(now)"
	kill "$_lpid" "$_spid" 2>/dev/null
	wait "$_lpid" "$_spid" 2>/dev/null
	ipvsadm -C
}
