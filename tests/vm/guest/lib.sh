# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers of the guest scripts (busybox ash). The result channel is fd 3 on
# /dev/ttyS1; the host reads only these records from it:
#   RESULT CASE PASS|FAIL DETAIL...
#   BURST NAME LIST,LIST... TABLE_SIZE HASH_KEY PORT_HASH OVERFLOW SCHED_NAME HRW_PARAMS
#         CHBL_PARAMS
#   FILE NAME SIZE, then SIZE bytes of text, then ENDFILE NAME
#   DONE
# Inputs prepared by the host (tests/vm/prepare.sh) are under /data:
# flows/NAME.flows (flow lists) and cmds/NAME.ipvsadm (ipvsadm -R input).
KVER=$(cat /etc/kver)
MODDIR=/lib/modules/$KVER
WMH_KO=$MODDIR/updates/ip_vs_wmh.ko
DATA=/data
export KVER MODDIR WMH_KO DATA

log() {
	echo "guest: $*" >/dev/console
}

now() {
	cut -d' ' -f1 /proc/uptime
}

# result CASE PASS|FAIL DETAIL...
result() {
	_case=$1
	_verdict=$2
	shift 2
	printf 'RESULT %s %s %s\n' "$_case" "$_verdict" "$*" >&3
	log "RESULT $_case $_verdict $*"
}

# emit_file NAME PATH: frames a text file on the channel; a missing final
# newline is added (and counted).
emit_file() {
	_size=$(wc -c <"$2")
	if [ "$_size" -gt 0 ] && [ -n "$(tail -c 1 "$2")" ]; then
		printf 'FILE %s %s\n' "$1" $((_size + 1)) >&3
		cat "$2" >&3
		echo >&3
	else
		printf 'FILE %s %s\n' "$1" "$_size" >&3
		cat "$2" >&3
	fi
	printf 'ENDFILE %s\n' "$1" >&3
}

# emit_gz NAME PATH: gzip and base64 (the serial line is the bottleneck);
# the host finds NAME.gz.b64 and decodes it.
emit_gz() {
	gzip -c "$2" | base64 >/tmp/emit.b64
	emit_file "$1.gz.b64" /tmp/emit.b64
}

# The wmh module parameters a prediction needs, "- - - - -" if not loaded;
# SCHED_NAME is the name wmh registered under (wmh, or mh/sh as a drop-in).
wmh_params() {
	_p=/sys/module/ip_vs_wmh/parameters
	if [ -d "$_p" ]; then
		_n=$(cat $_p/sched_name 2>/dev/null || echo wmh)
		echo "$(cat $_p/table_size) $(cat $_p/hash_key) $(cat $_p/port_hash) $(cat $_p/overflow) $_n"
	else
		echo "- - - - -"
	fi
}

# mod_params MOD PARAM...: the values of ip_vs_MOD's PARAMs, one "-" each
# when it is not loaded.
mod_params() {
	_p=/sys/module/ip_vs_$1/parameters
	shift
	_v=
	for _n in "$@"; do
		if [ -d "$_p" ]; then _v="$_v $(cat "$_p/$_n")"; else _v="$_v -"; fi
	done
	echo "${_v# }"
}

# ip_vs_hrw's parameters: TABLE_SIZE HASH_KEY PORT_HASH OVERFLOW.
hrw_params() {
	mod_params hrw table_size hash_key port_hash overflow
}

# ip_vs_chbl's: hrw's four, then EPS EPS_FLAG3.
chbl_params() {
	mod_params chbl table_size hash_key port_hash overflow eps eps_flag3
}

# Network of one scenario (run in a fresh network namespace): dests sit
# behind dummy0, clients are bound to addresses of local routes on lo.
net_setup() {
	ip link set lo up &&
		{ ip link show dummy0 >/dev/null 2>&1 || ip link add dummy0 type dummy; } &&
		ip link set dummy0 up &&
		ip addr add 192.168.255.254/16 dev dummy0 &&
		ip -6 addr add fd00:1::ffff/64 dev dummy0 &&
		ip route add 10.0.0.0/16 dev dummy0 &&
		ip route add 172.16.0.0/12 dev dummy0 &&
		ip -6 route add fd00::/96 dev dummy0 &&
		ip -6 route add fd00:2::/64 dev dummy0 &&
		ip route add local 10.99.0.0/16 dev lo &&
		ip -6 route add local fd00:99::/64 dev lo
}

# apply CASE NAME: feeds /data/cmds/NAME.ipvsadm to ipvsadm -R.
apply() {
	if ! ipvsadm -R <"$DATA/cmds/$2.ipvsadm" >/tmp/apply.err 2>&1; then
		result "$1" FAIL "ipvsadm -R $2.ipvsadm: $(head -c 300 /tmp/apply.err)"
		return 1
	fi
}

# burst NAME LIST...: sends the lists' flows, then returns the rules (in
# kernel list order and in -Sn form) and the lists' ip_vs_conn entries.
# Sets burst_t0: when the send started (uptime).
burst() {
	_name=$1
	shift
	_paths=
	_lists=
	for _l in "$@"; do
		_paths="$_paths $DATA/flows/$_l.flows"
		_lists="${_lists:+$_lists,}$_l"
	done
	_t0=$(now)
	# shellcheck disable=SC2034 # read by the scenarios (expire_soon)
	burst_t0=$_t0
	# shellcheck disable=SC2086 # _paths is a list of paths without blanks
	if ! flowgen send $_paths 2>/tmp/send.err; then
		result "send-$_name" FAIL "flowgen send: $(head -c 300 /tmp/send.err)"
	fi
	_t1=$(now)
	ipvsadm -Ln --nosort >/tmp/burst.ln 2>&1
	ipvsadm -Sn >/tmp/burst.sn 2>&1
	# shellcheck disable=SC2086
	flowgen pick $_paths >/tmp/burst.conn 2>/tmp/pick.err ||
		result "pick-$_name" FAIL "flowgen pick: $(head -c 300 /tmp/pick.err)"
	printf 'BURST %s %s %s %s %s\n' "$_name" "$_lists" "$(wmh_params)" "$(hrw_params)" \
		"$(chbl_params)" >&3
	emit_file "$_name.ln" /tmp/burst.ln
	emit_file "$_name.sn" /tmp/burst.sn
	# The project's netlink snapshot must equal what ipvsadm shows.
	if command -v ipvs-snapshot >/dev/null; then
		ipvs-snapshot -o /tmp/burst.snap 2>/tmp/burst.snap.err ||
			cp /tmp/burst.snap.err /tmp/burst.snap
		emit_file "$_name.snap" /tmp/burst.snap
		# JSON: one "server" object per real server ipvsadm lists.
		_servers=$(ipvs-snapshot --format json 2>&1 | grep -c '"server"')
		_expect=$(grep -c '^-a ' /tmp/burst.sn)
		if [ "$_servers" -eq "$_expect" ]; then
			result "$_name-snapshot-json" PASS "$_servers real servers in the JSON dump"
		else
			result "$_name-snapshot-json" FAIL "$_servers real servers in the JSON dump, ipvsadm lists $_expect"
		fi
	fi
	emit_gz "$_name.conn" /tmp/burst.conn
	log "burst $_name: $(($(wc -l </tmp/burst.conn) - 1)) entries, send $_t0 -> $_t1, done $(now): $(tail -n 1 /tmp/send.err)"
}

# dmesg_check CASE: no warnings, bugs, oopses, stalls or lockdep reports.
# Lockdep's reports are WARNING:/BUG:/INFO: lines (circular or recursive
# locking, inconsistent lock state, suspicious RCU usage, a non-static key)
# or turn the validator off; a bare "lockdep" is no report: the debug
# kernel's boot says "RCU lockdep checking is enabled". KASAN reports as
# "BUG: KASAN:", debugobjects as "ODEBUG:", a hung task as "INFO: task".
# tests/vm/selftest.sh checks the pattern against real reports and a clean
# debug boot.
DMESG_BAD='WARNING:|BUG:|Oops|rcu.*stall|INFO: |ODEBUG|locking correctness validator|circular locking|general protection|KASAN:|UBSAN|Call Trace'
dmesg_check() {
	dmesg >/tmp/dmesg.txt
	if grep -E "$DMESG_BAD" /tmp/dmesg.txt >/tmp/dmesg.bad; then
		result "$1" FAIL "$(head -c 300 /tmp/dmesg.bad | tr '\n' '|')"
		emit_file "$1.dmesg" /tmp/dmesg.txt
	else
		result "$1" PASS "dmesg clean"
	fi
}
