#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# One scenario, run by init as `unshare -n sh /test/scenario.sh NAME` so
# that every scenario has its own IPVS state and connection table. The
# inputs (rules and flow lists) come from tests/vm/prepare.sh.
# shellcheck source=lib.sh
. /test/lib.sh

# static-X: one service (wmh with and without port hashing, TCP and UDP,
# IPv4 and IPv6, 2 to 500 dests with weights 1..65535, in-tree mh and sh),
# dests added in shuffled order; one burst; then the service is deleted.
scenario_static() {
	apply "$1" "$1" || return 1
	burst "$1" "$1"
	ipvsadm -Sn | awk '$1 == "-A" { print "-D", $2, $3 }' >/tmp/del.ipvsadm
	if ipvsadm -R </tmp/del.ipvsadm && [ -z "$(ipvsadm -Sn)" ]; then
		result "$1-delete" PASS "service deleted"
	else
		result "$1-delete" FAIL "services left: $(ipvsadm -Sn | head -3 | tr '\n' '|')"
	fi
}

# live: rules change between bursts: add, delete, reweight, drain to weight
# 0, restore, edit the service flags; a burst after every step.
scenario_live() {
	for step in 0 1 2 3 4 5 6; do
		apply live "live-$step" || return 1
		burst "live-$step" "live-$step-u4" "live-$step-u6" "live-$step-mh" "live-$step-hw"
	done
	if ipvsadm -C; then
		result live-clear PASS "ipvsadm -C"
	else
		result live-clear FAIL "ipvsadm -C failed"
	fi
}

# order: two services with the same dests added in opposite orders, the same
# clients sent to both (the host compares the two halves of each burst).
scenario_order() {
	apply "order-$1" order || return 1
	burst "order-$1" "order-$1-80" "order-$1-81"
}

# storm_editor P: feeds the batches of stream P (prepare.sh) to ipvsadm -R
# one after the other; writes "EDITS FAILED_BATCHES" to /tmp/storm-pP.status
# and ipvsadm's complaints to /tmp/storm-pP.err.
storm_editor() {
	_ops=0
	_bad=0
	: >"/tmp/storm-p$1.err"
	for _f in "$DATA"/cmds/storm-p"$1"-*.ipvsadm; do
		if ipvsadm -R <"$_f" 2>>"/tmp/storm-p$1.err"; then
			_ops=$((_ops + $(wc -l <"$_f")))
		else
			_bad=$((_bad + 1))
		fi
	done
	echo "$_ops $_bad" >"/tmp/storm-p$1.status"
}

# storm_sender N LIST...: sends the lists again and again while
# /tmp/storm.run exists (once at least); "PASSES FAILED_SENDS" to
# /tmp/storm-sN.status.
storm_sender() {
	_n=$1
	shift
	_passes=0
	_bad=0
	while [ "$_passes" -eq 0 ] || [ -e /tmp/storm.run ]; do
		for _l in "$@"; do
			flowgen send --quiet "$DATA/flows/$_l.flows" 2>>/tmp/storm-send.err ||
				_bad=$((_bad + 1))
		done
		_passes=$((_passes + 1))
	done
	echo "$_passes $_bad" >"/tmp/storm-s$_n.status"
}

# wmh_load_args: ip_vs_wmh's parameters now, as insmod arguments.
wmh_load_args() {
	_p=/sys/module/ip_vs_wmh/parameters
	printf 'table_size=%s port_hash=%s overflow=%s' "$(cat $_p/table_size)" \
		"$(cat $_p/port_hash)" "$(cat $_p/overflow)"
	_k=$(cat $_p/hash_key)
	[ "$_k" = "(null)" ] || printf ' hash_key=%s' "$_k"
	_s=$(cat $_p/sched_name 2>/dev/null || echo wmh)
	[ "$_s" = wmh ] || printf ' sched_name=%s' "$_s"
}

# storm: two processes edit services and dests at once (prepare.sh's
# streams storm-p1 and storm-p2, thousands of edits: dests added, deleted,
# reweighted and drained, services added and deleted, schedulers changed
# among wmh and in-tree ones under live tables) while two senders loop over
# UDP flow lists to the wmh services. Their entries live 3 s, so that each
# pass is scheduled anew and none is left to expire while a burst reads
# the connection table (flowgen pick reads until two reads agree). No edit
# may fail and dmesg must stay clean. Then bursts to p1's services
# (storm-after, predicted from the setup and p1's edits as a timeline) and
# to the shared ones (storm-shared, from the rules); then every service
# deleted, ip_vs_wmh unloaded and loaded again with the same parameters,
# and a burst to two new wmh services (storm-reload).
scenario_storm() {
	apply storm storm-setup || return 1
	ipvsadm --set 0 0 3
	: >/tmp/storm-send.err
	touch /tmp/storm.run
	storm_sender 1 storm-u4 storm-s4 storm-s6 &
	_s1=$!
	storm_sender 2 storm-q1 storm-q3 &
	_s2=$!
	_t0=$(now)
	storm_editor 1 &
	_e1=$!
	storm_editor 2 &
	_e2=$!
	wait "$_e1"
	_t1=$(now)
	wait "$_e2"
	_t2=$(now)
	rm -f /tmp/storm.run
	wait "$_s1"
	wait "$_s2"
	# UDP entries of new flows live 300 s again; the storm's expire first.
	ipvsadm --set 0 0 300
	sleep 4
	read -r _ops1 _bad1 </tmp/storm-p1.status
	read -r _ops2 _bad2 </tmp/storm-p2.status
	read -r _pa1 _sb1 </tmp/storm-s1.status
	read -r _pa2 _sb2 </tmp/storm-s2.status
	_detail="p1 $_ops1 edits in $(echo "$_t0 $_t1" | awk '{ print $2 - $1 }') s, p2 $_ops2 in $(echo "$_t0 $_t2" | awk '{ print $2 - $1 }') s, at once; senders: $_pa1 and $_pa2 passes"
	if [ "$_bad1" -eq 0 ] && [ "$_bad2" -eq 0 ] && [ ! -s /tmp/storm-p1.err ] && [ ! -s /tmp/storm-p2.err ]; then
		result storm PASS "$_detail"
	else
		result storm FAIL "$_detail; failed batches $_bad1 and $_bad2: $(cat /tmp/storm-p1.err /tmp/storm-p2.err | head -c 300 | tr '\n' '|')"
	fi
	if [ "$_sb1" -eq 0 ] && [ "$_sb2" -eq 0 ]; then
		result storm-traffic PASS "$_pa1 + $_pa2 passes over 5 UDP flow lists while the edits ran"
	else
		result storm-traffic FAIL "$_sb1 + $_sb2 failed sends: $(head -c 300 /tmp/storm-send.err | tr '\n' '|')"
	fi
	dmesg_check storm-dmesg
	burst storm-after storm-after-u4 storm-after-t6 storm-after-mh
	burst storm-shared storm-shared-u4 storm-shared-u6

	# Unload and load again: only this namespace's services use wmh now
	# (the earlier scenarios' namespaces are released in a workqueue,
	# hence the retries).
	_args=$(wmh_load_args)
	_before=$(wmh_params)
	ipvsadm -C || result storm-clear FAIL "ipvsadm -C failed"
	_t0=$(now)
	if ! rmmod_retry ip_vs_wmh; then
		result storm-unload FAIL "rmmod ip_vs_wmh: $(cat /tmp/rmmod.err)"
		return 1
	fi
	result storm-unload PASS "rmmod ip_vs_wmh after ipvsadm -C ($(echo "$_t0 $(now)" | awk '{ print $2 - $1 }') s)"
	# shellcheck disable=SC2086 # separate words
	if ! insmod "$WMH_KO" $_args 2>/tmp/insmod.err; then
		result storm-reload-load FAIL "insmod ip_vs_wmh.ko $_args: $(cat /tmp/insmod.err)"
		return 1
	fi
	if [ "$(wmh_params)" = "$_before" ]; then
		result storm-reload-load PASS "insmod $_args: parameters as before"
	else
		result storm-reload-load FAIL "parameters were '$_before', are '$(wmh_params)' after insmod $_args"
	fi
	apply storm storm-reload || return 1
	burst storm-reload storm-reload-u4 storm-reload-t6
	ipvsadm -C || result storm-clear FAIL "ipvsadm -C failed"
	dmesg_check storm-dmesg-reload
}

# params: ip_vs_wmh loaded (by init) with table_size, hash_key and
# port_hash; the burst record carries them to the prediction.
scenario_params() {
	apply params params || return 1
	burst params params-u4 params-t6
	ipvsadm -C
}

# snapshot-roundtrip: services using every field ipvsadm sets (prepare.sh)
# configured with ipvsadm -R, dumped by ipvs-snapshot (rules and JSON) and
# ipvsadm -Sn; then the snapshot restored into an empty table with ipvsadm
# -R and dumped again (.restored.*). The host compares every field with the
# rules applied (compare-roundtrip.sh). Without ipvs-snapshot in the
# initramfs (run-all.sh --snapshot) only ipvsadm's dumps go back.
scenario_snapshot_roundtrip() {
	_n=snapshot-roundtrip
	apply "$_n" "$_n" || return 1
	result "$_n-apply" PASS "$(grep -c '^-A' "$DATA/cmds/$_n.ipvsadm") services, $(grep -c '^-a' "$DATA/cmds/$_n.ipvsadm") real servers configured with ipvsadm -R"
	ipvsadm -Sn >/tmp/rt.sn 2>&1
	ipvsadm -Ln --nosort >/tmp/rt.ln 2>&1
	emit_file "$_n.sn" /tmp/rt.sn
	emit_file "$_n.ln" /tmp/rt.ln
	if command -v ipvs-snapshot >/dev/null; then
		if ipvs-snapshot -o /tmp/rt.snap 2>/tmp/rt.err &&
			ipvs-snapshot --format json -o /tmp/rt.json 2>>/tmp/rt.err; then
			result "$_n-dump" PASS "ipvs-snapshot: $(grep -c '^-A' /tmp/rt.snap) services, $(grep -c '^-a' /tmp/rt.snap) real servers"
			emit_file "$_n.snap" /tmp/rt.snap
			emit_file "$_n.json" /tmp/rt.json
			# The snapshot as ipvsadm -R input rebuilds the same table.
			ipvsadm -C
			if ipvsadm -R </tmp/rt.snap 2>/tmp/rt.err; then
				ipvsadm -Sn >/tmp/rt2.sn 2>&1
				ipvs-snapshot -o /tmp/rt2.snap 2>&1 || true
				emit_file "$_n.restored.sn" /tmp/rt2.sn
				emit_file "$_n.restored.snap" /tmp/rt2.snap
				result "$_n-reapply" PASS "ipvsadm -R took the snapshot"
			else
				result "$_n-reapply" FAIL "ipvsadm -R of the snapshot: $(head -c 300 /tmp/rt.err | tr '\n' '|')"
			fi
		else
			result "$_n-dump" FAIL "ipvs-snapshot: $(head -c 300 /tmp/rt.err | tr '\n' '|')"
		fi
	fi
	ipvsadm -C
}

# dests_of CONN: "client-address dest" per line of a flowgen pick output.
dests_of() {
	awk 'NR > 1 { print $2, $6 }' "$1" | sort
}

# failrebuild: the debug_fail_rebuilds aid makes table rebuilds fail as an
# allocation failure would. ipvsadm -A must report the error; a failed
# rebuild after an edit must leave the old table serving (same dest for
# every client, port hashing off), and the next good rebuild must apply.
# chbl's bound follows the current weights even while the old table serves,
# so its run loads it with the widest bound (eps=10) and makes the failed
# edit a small one (weight 2), which moves no client past the bound.
scenario_failrebuild() {
	sched=$1 case=$2 wfail=50
	if [ "$sched" = chbl ]; then
		wfail=2
		[ ! -d /sys/module/ip_vs_chbl ] || rmmod_retry ip_vs_chbl || return 1
		modprobe ip_vs_chbl eps=10 || return 1
	fi
	[ -d "/sys/module/ip_vs_$sched" ] || modprobe "ip_vs_$sched" || return 1
	fail=/sys/module/ip_vs_$sched/parameters/debug_fail_rebuilds
	vip=10.0.7.1:53
	echo 1 >"$fail"
	if ipvsadm -A -u "$vip" -s "$sched" 2>/tmp/fr.err; then
		result "$case-add" FAIL "ipvsadm -A succeeded although the table build failed"
	elif [ -z "$(ipvsadm -Sn)" ]; then
		result "$case-add" PASS "ipvsadm -A refused: $(head -c 100 /tmp/fr.err)"
	else
		result "$case-add" FAIL "service exists after a failed build"
	fi
	echo 0 >"$fail"
	ipvsadm -A -u "$vip" -s "$sched" || return 1
	for i in 1 2 3 4 5 6 7 8; do
		ipvsadm -a -u "$vip" -r "172.16.7.$i:53" -m -w 1 || return 1
	done
	# Three lists of the same 200 clients (same seed), each on new ports.
	for list in a:20000 b:30000 c:40000; do
		if ! flowgen gen --vip "$vip" --clients 10.99.0.0/16 --addrs 200 --ports 1 \
			--count 200 --seed 7 --port-base "${list#*:}" \
			-o "/tmp/fr-${list%:*}.flows" 2>/tmp/fr.err; then
			result "$case" FAIL "flowgen gen: $(head -c 200 /tmp/fr.err)"
			return 1
		fi
	done
	flowgen send --quiet /tmp/fr-a.flows && flowgen pick /tmp/fr-a.flows >/tmp/fr-a.conn
	echo 1 >"$fail"
	ipvsadm -e -u "$vip" -r 172.16.7.1:53 -m -w "$wfail"
	flowgen send --quiet /tmp/fr-b.flows && flowgen pick /tmp/fr-b.flows >/tmp/fr-b.conn
	if ! dmesg | grep -q "$sched: .*table rebuild failed (-12), previous table kept"; then
		result "$case-kept" FAIL "no 'previous table kept' message in dmesg"
	elif [ "$(dests_of /tmp/fr-a.conn)" = "$(dests_of /tmp/fr-b.conn)" ] &&
		[ "$(dests_of /tmp/fr-a.conn | wc -l)" -eq 200 ]; then
		result "$case-kept" PASS "failed rebuild logged; all 200 clients kept their dest"
	else
		result "$case-kept" FAIL "clients moved although the rebuild failed"
	fi
	ipvsadm -e -u "$vip" -r 172.16.7.1:53 -m -w 51
	flowgen send --quiet /tmp/fr-c.flows && flowgen pick /tmp/fr-c.flows >/tmp/fr-c.conn
	heavy=$(awk 'NR > 1 && $6 == "AC100701" { n++ } END { print n + 0 }' /tmp/fr-c.conn)
	if [ "$heavy" -gt 120 ]; then
		result "$case-recover" PASS "next rebuild applied weight 51: $heavy of 200 clients on it"
	else
		result "$case-recover" FAIL "only $heavy of 200 clients on the weight-51 dest"
	fi
	ipvsadm -C
}

# loaded: the scheduler modules loaded now, "ip_vs_wmh ip_vs_mh" or so.
loaded() {
	lsmod | awk '$1 ~ /^ip_vs_(wmh|mh|sh)$/ { printf "%s%s", sep, $1; sep = " " }'
}

# rmmod_retry MODULE: rmmod, retried while the module is still busy.
rmmod_retry() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		rmmod "$1" 2>/tmp/rmmod.err && return 0
		sleep 1
	done
	return 1
}

# served_by CASE SCHED: ip_vs_wmh is loaded under sched_name SCHED and the
# in-tree ip_vs_SCHED is not.
served_by() {
	_sn=$(cat /sys/module/ip_vs_wmh/parameters/sched_name 2>/dev/null || echo none)
	_l=" $(loaded) "
	case $_l in
	*" ip_vs_$2 "*) _ok=0 ;;
	*" ip_vs_wmh "*) _ok=1 ;;
	*) _ok=0 ;;
	esac
	if [ "$_ok" -eq 1 ] && [ "$_sn" = "$2" ]; then
		result "$1" PASS "lsmod:$_l; sched_name=$_sn"
	else
		result "$1" FAIL "lsmod:$_l; sched_name=$_sn"
		return 1
	fi
}

# dropin-mh, dropin-sh (init has unloaded ip_vs_wmh/mh/sh and disabled every
# modprobe file): with kmod/modprobe.d/ip_vs_wmh-as-SCHED.conf enabled,
# ipvsadm -s SCHED makes the kernel request ip_vs_SCHED, which kmod's
# modprobe resolves to ip_vs_wmh sched_name=SCHED. One burst (the host
# predicts it with --wmh-sched-name and shows the in-tree model differs).
scenario_dropin() {
	_s=$1
	_conf=/test/modprobe.d/ip_vs_wmh-as-$_s.conf
	if [ ! -f "$_conf" ]; then
		result "dropin-$_s" FAIL "$_conf not in the initramfs (kmod/modprobe.d)"
		return 1
	fi
	cp "$_conf" /etc/modprobe.d/
	# What the kernel's request will run, and what kmod makes of it.
	_helper=$(cat /proc/sys/kernel/modprobe)
	_dep=$(modprobe --show-depends "ip_vs_$_s" 2>&1 | tail -n 1)
	case $_dep in
	"insmod $WMH_KO sched_name=$_s"*)
		result "dropin-$_s-resolve" PASS "kernel helper $_helper; modprobe ip_vs_$_s: $_dep"
		;;
	*) result "dropin-$_s-resolve" FAIL "kernel helper $_helper; modprobe ip_vs_$_s: $_dep" ;;
	esac
	apply "dropin-$_s" "dropin-$_s" || return 1
	served_by "dropin-$_s-served" "$_s"
	burst "dropin-$_s" "dropin-$_s"
	ipvsadm -C
	[ "$_s" = mh ] || return 0

	# Going back: the file disabled and ip_vs_wmh unloaded, ipvsadm -s mh
	# loads the in-tree ip_vs_mh again.
	rm -f "/etc/modprobe.d/ip_vs_wmh-as-$_s.conf"
	if ! rmmod_retry ip_vs_wmh; then
		result dropin-back FAIL "rmmod ip_vs_wmh: $(cat /tmp/rmmod.err)"
		return 1
	fi
	ipvsadm -A -u 10.0.10.9:53 -s mh 2>/tmp/back.err
	if [ -d /sys/module/ip_vs_mh ] && [ ! -d /sys/module/ip_vs_wmh ]; then
		result dropin-back PASS "file removed, ipvsadm -s mh loaded the in-tree module: $(loaded)"
	else
		result dropin-back FAIL "after ipvsadm -s mh ($(head -c 100 /tmp/back.err)): $(loaded)"
	fi
	ipvsadm -C

	# Refusals: the in-tree mh is registered now.
	_msg='sched_name=mh refused: a scheduler named mh is already registered'
	if modprobe ip_vs_wmh sched_name=mh 2>/tmp/mp.err; then
		result dropin-refuse-mh FAIL "modprobe ip_vs_wmh sched_name=mh succeeded with ip_vs_mh loaded"
		rmmod ip_vs_wmh
	elif dmesg | grep -q "$_msg"; then
		result dropin-refuse-mh PASS "modprobe failed and dmesg says '$_msg'"
	else
		result dropin-refuse-mh FAIL "modprobe failed but dmesg lacks '$_msg'; it says: $(dmesg | tail -n 2 | tr '\n' '|')"
	fi
	if modprobe ip_vs_wmh sched_name=foo 2>/tmp/mp.err; then
		result dropin-refuse-foo FAIL "modprobe ip_vs_wmh sched_name=foo succeeded"
		rmmod ip_vs_wmh
	elif dmesg | grep -q 'sched_name=foo refused'; then
		result dropin-refuse-foo PASS "modprobe failed and dmesg says 'sched_name=foo refused'"
	else
		result dropin-refuse-foo FAIL "modprobe failed but dmesg lacks 'sched_name=foo refused'"
	fi
}

# ka_wait CASE EXPECT: polls ipvsadm -Sn (up to 60 s) until its real server
# lines are exactly EXPECT's (sorted -a lines).
ka_wait() {
	sort "$2" >/tmp/ka.want
	_i=0
	while [ "$_i" -lt 240 ]; do
		ipvsadm -Sn 2>/dev/null | grep '^-a ' | sort >/tmp/ka.have
		if cmp -s /tmp/ka.want /tmp/ka.have; then
			result "$1" PASS "keepalived configured $(wc -l </tmp/ka.have) real servers in $((_i / 4)) s"
			return 0
		fi
		sleep 0.25
		_i=$((_i + 1))
	done
	result "$1" FAIL "after 60 s: want $(tr '\n' '|' </tmp/ka.want) have $(tr '\n' '|' </tmp/ka.have)"
	emit_file "$1.log" /tmp/ka.log
	return 1
}

# ka_start CONF: keepalived's health checker in the foreground, logging to
# /tmp/ka.log; sets ka_pid.
ka_start() {
	keepalived --check --dont-fork --log-console --log-detail --no-syslog \
		-f "$1" -p /tmp/ka.pid -c /tmp/ka-check.pid -r /tmp/ka-vrrp.pid \
		>/tmp/ka.log 2>&1 &
	ka_pid=$!
}

# ka_stop: SIGTERM; keepalived removes its IPVS configuration on the way out.
ka_stop() {
	kill "$ka_pid" 2>/dev/null
	wait "$ka_pid" 2>/dev/null
	ipvsadm -C
}

# keepalived: Debian's keepalived configures IPVS from /data/keepalived/
# keepalived.conf (TCP and UDP NAT services, a virtual_server_group, lb_algo
# mh with mh-port, served by wmh through ip_vs_wmh-as-mh.conf, TCP_CHECKs
# against flowgen listeners on lo). Bursts with all servers up and after two
# listeners stop (one server removed, one inhibited to weight 0); the host
# predicts both from that keepalived.conf. Then keepalived's own rejection
# of lb_algo wmh.
scenario_keepalived() {
	_kd=$DATA/keepalived
	_conf=/test/modprobe.d/ip_vs_wmh-as-mh.conf
	if [ ! -f "$_conf" ]; then
		result keepalived FAIL "$_conf not in the initramfs (kmod/modprobe.d)"
		return 1
	fi
	cp "$_conf" /etc/modprobe.d/
	: >/tmp/ka.listeners
	while read -r _ep; do
		flowgen listen "$_ep" &
		echo "$_ep $!" >>/tmp/ka.listeners
	done <"$_kd/listeners"
	# Every listener bound (state 0A in this namespace) before the first check.
	_n=$(wc -l <"$_kd/listeners")
	for _ in $(seq 1 40); do
		[ "$(awk '$4 == "0A"' /proc/net/tcp | wc -l)" -lt "$_n" ] || break
		sleep 0.25
	done
	ka_start "$_kd/keepalived.conf"
	if ka_wait keepalived-up "$_kd/up.expect"; then
		served_by keepalived-served mh
		burst keepalived-up keepalived-up-u1 keepalived-up-u2 keepalived-up-t
		while read -r _ep; do
			kill "$(awk -v ep="$_ep" '$1 == ep { print $2 }' /tmp/ka.listeners)"
		done <"$_kd/stop"
		if ka_wait keepalived-down "$_kd/down.expect"; then
			burst keepalived-down keepalived-down-u1 keepalived-down-u2 keepalived-down-t
		fi
	fi
	ka_stop
	emit_file keepalived.log /tmp/ka.log
	while read -r _ep _pid; do
		kill "$_pid" 2>/dev/null
	done </tmp/ka.listeners

	# keepalived checks lb_algo against its own list.
	keepalived -t -l -f "$_kd/wmh.conf" >/tmp/ka-wmh.log 2>&1
	if grep -q "Invalid lvs_scheduler 'wmh'" /tmp/ka-wmh.log; then
		result keepalived-wmh-rejected PASS "$(grep -m 1 'Invalid lvs_scheduler' /tmp/ka-wmh.log)"
	else
		result keepalived-wmh-rejected FAIL "no 'Invalid lvs_scheduler' in: $(head -c 300 /tmp/ka-wmh.log | tr '\n' '|')"
	fi
}

# ka-samples: Debian's sample configs (/data/keepalived/samples/), each run
# by real keepalived; what it configured is dumped as soon as the services
# appear and stay unchanged for a second (the samples' checkers point at
# hosts that do not exist and remove the servers only after their
# connect_timeout and retries, several seconds later).
scenario_ka_samples() {
	for _f in "$DATA"/keepalived/samples/*; do
		_n=ka-sample-${_f##*.}
		ka_start "$_f"
		_i=0
		_same=0
		_prev=
		while [ "$_i" -lt 120 ]; do
			sleep 0.25
			_i=$((_i + 1))
			_now=$(ipvsadm -Sn 2>/dev/null)
			[ -n "$_now" ] || continue
			if [ "$_now" = "$_prev" ]; then
				_same=$((_same + 1))
				[ "$_same" -lt 4 ] || break
			else
				_same=0
				_prev=$_now
			fi
		done
		ipvsadm -Ln --nosort >/tmp/ka-sample.ln 2>&1
		ipvsadm -Sn >/tmp/ka-sample.sn 2>&1
		if [ -s /tmp/ka-sample.sn ]; then
			result "$_n" PASS "$(grep -c '^-A' /tmp/ka-sample.sn) services, $(grep -c '^-a' /tmp/ka-sample.sn) real servers after $((_i / 4)) s"
		else
			result "$_n" FAIL "keepalived configured nothing in 30 s"
			emit_file "$_n.log" /tmp/ka.log
		fi
		emit_file "$_n.ln" /tmp/ka-sample.ln
		emit_file "$_n.sn" /tmp/ka-sample.sn
		if command -v ipvs-snapshot >/dev/null; then
			ipvs-snapshot -o /tmp/ka-sample.snap 2>/tmp/ka-sample.snap.err ||
				cp /tmp/ka-sample.snap.err /tmp/ka-sample.snap
			emit_file "$_n.snap" /tmp/ka-sample.snap
		fi
		ka_stop
	done
}

# kbench: time to push the same new UDP flows through a wmh and an mh
# service in one boot (make bench; not part of make check).
scenario_kbench() {
	n=$(cat "$DATA/kbench_flows" 2>/dev/null || echo 200000)
	ipvsadm -A -u 10.0.8.1:53 -s wmh || return 1
	ipvsadm -A -u 10.0.8.2:53 -s mh || return 1
	for i in $(seq 1 20); do
		ipvsadm -a -u 10.0.8.1:53 -r "172.16.8.$i:53" -m -w 1
		ipvsadm -a -u 10.0.8.2:53 -r "172.16.8.$i:53" -m -w 1
	done
	flowgen gen --vip 10.0.8.1:53 --clients 10.99.0.0/16 --addrs 20000 --ports 10 \
		--count "$n" -o /tmp/kb-wmh.flows
	sed 's/10\.0\.8\.1:53/10.0.8.2:53/' /tmp/kb-wmh.flows >/tmp/kb-mh.flows
	t0=$(now)
	flowgen send --quiet /tmp/kb-wmh.flows || return 1
	t1=$(now)
	flowgen send --quiet /tmp/kb-mh.flows || return 1
	t2=$(now)
	wmh=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')
	mh=$(echo "$t1 $t2" | awk '{ print $2 - $1 }')
	printf '{"flows": %s, "wmh_seconds": %s, "mh_seconds": %s, "kernel": "%s"}\n' \
		"$n" "$wmh" "$mh" "$KVER" >/tmp/kernel_flows.json
	emit_file kernel_flows.json /tmp/kernel_flows.json
	result kbench PASS "$n flows: wmh $wmh s, mh $mh s"
	ipvsadm -C
}

# emit_sysctl NAME: this namespace's IPVS sysctls as `sysctl -a` prints
# them (NAME.sysctl; the host passes it to ipvs-sim --sysctl-file).
emit_sysctl() {
	for _f in /proc/sys/net/ipv4/vs/*; do
		_v=$(cat "$_f" 2>/dev/null) || continue
		echo "net.ipv4.vs.${_f##*/} = $_v"
	done >/tmp/sysctl.txt
	emit_file "$1.sysctl" /tmp/sysctl.txt
}

# set_vs_sysctl CASE NAME VALUE: /proc/sys/net/ipv4/vs/NAME of this
# namespace (IPVS sysctls are per network namespace).
set_vs_sysctl() {
	if ! echo "$3" >"/proc/sys/net/ipv4/vs/$2" 2>/tmp/sysctl.err ||
		[ "$(cat "/proc/sys/net/ipv4/vs/$2")" != "$3" ]; then
		result "$1" FAIL "cannot set net.ipv4.vs.$2=$3: $(cat /tmp/sysctl.err)"
		return 1
	fi
}

# persist-eqt0, persist-eqt1: persistent services (VIP:53 -M /24 and VIP:0)
# under wmh, mh, sh, rr and wlc with expire_quiescent_template 0 or 1; a
# burst from the same clients (new ports) after the rules and after each
# of -e -w, a drain to weight 0 and -d. The host predicts the four bursts
# in one run, templates carried over.
scenario_persist() {
	_n=persist-eqt$1
	set_vs_sysctl "$_n" expire_quiescent_template "$1" || return 1
	for _s in 0 1 2 3; do
		apply "$_n" "persist-$_s" || return 1
		[ "$_s" -ne 0 ] || emit_sysctl "$_n"
		burst "$_n-b$_s" "persist-b$_s"
	done
	ipvsadm -C
}

# nodest-0, nodest-1: expire_nodest_conn 0 or 1; the same flows (UDP to
# wmh, TCP SYNs to rr) sent three times: first, after -d of a dest, after
# a drain to weight 0.
scenario_nodest() {
	_n=nodest-$1
	set_vs_sysctl "$_n" expire_nodest_conn "$1" || return 1
	apply "$_n" nodest-0 || return 1
	emit_sysctl "$_n"
	burst "$_n-a" nodest-u nodest-t
	apply "$_n" nodest-d || return 1
	burst "$_n-d" nodest-u nodest-t
	apply "$_n" nodest-w || return 1
	burst "$_n-w" nodest-u nodest-t
	ipvsadm -C
}

# conns_total: the entries of all real servers (ActiveConn + InActConn).
conns_total() {
	ipvsadm -Ln | awk '$1 == "->" && $2 != "RemoteAddress:Port" { n += $5 + $6 } END { print n + 0 }'
}

# wait_conns CASE N MAX: polls until the real servers hold N entries (the
# older phase's expired), at most MAX seconds.
wait_conns() {
	_i=0
	while [ "$(conns_total)" -ne "$2" ]; do
		_i=$((_i + 1))
		if [ "$_i" -gt $(($3 * 4)) ]; then
			result "$1" FAIL "after $3 s: $(conns_total) entries, want $2"
			return 1
		fi
		sleep 0.25
	done
	log "$1: $2 entries after $((_i / 4)) s (at $(now))"
}

# expire_soon SINCE UDP_TIMEOUT LIST...: makes the lists' live UDP entries
# expire within a second, UDP_TIMEOUT (the scenario's --set) staying for
# the entries made afterwards. A UDP packet of an existing entry takes its
# timeout from the current table (udp_state_transition) and re-arms the
# entry's timer with it, so the flows sent again under --set 0 0 1 reach
# their entries (no scheduling decision) and leave each a second to live.
# SINCE is when the entries were made (their burst's burst_t0): on a guest
# so slow that some may have expired already (within 3 s of UDP_TIMEOUT),
# a flow sent again could be scheduled anew, so they are left to expire.
# The caller still waits (wait_conns) until they are gone.
expire_soon() {
	_since=$1
	_to=$2
	shift 2
	if [ "$(echo "$_since $(now) $_to" | awk '{ print ($2 - $1 < $3 - 3) }')" -ne 1 ]; then
		log "expire_soon $*: made at $_since, now $(now): left to expire"
		return 0
	fi
	_paths=
	for _l in "$@"; do
		_paths="$_paths $DATA/flows/$_l.flows"
	done
	_t0=$(now)
	ipvsadm --set 0 0 1
	# shellcheck disable=SC2086 # _paths is a list of paths without blanks
	flowgen send --quiet $_paths 2>/tmp/expire.err ||
		log "expire_soon: flowgen send: $(head -c 200 /tmp/expire.err)"
	ipvsadm --set 0 0 "$_to"
	log "expire_soon $*: sent again under a 1 s UDP timeout, $_t0 -> $(now)"
}

# thresh: -x/-y overload and its hysteresis under rr, UDP entries living
# 10 s: phases p1 and p2 one after the other, p3 once p1's entries expired,
# p4 once p2's (prepare.sh has the counts). Each phase's entries are made
# to expire by expire_soon, not by waiting out the 10 s: the others keep
# theirs, so each wait still ends with exactly the next phase's entries.
scenario_thresh() {
	apply thresh thresh-set || return 1
	apply thresh thresh || return 1
	emit_sysctl thresh
	burst thresh-p1 thresh-p1
	_p1=$burst_t0
	burst thresh-p2 thresh-p2
	_p2=$burst_t0
	expire_soon "$_p1" 10 thresh-p1
	wait_conns thresh-expire-p1 "$(grep -cv "^#" "$DATA/flows/thresh-p2.flows")" 30 || return 1
	burst thresh-p3 thresh-p3
	expire_soon "$_p2" 10 thresh-p2
	wait_conns thresh-expire-p2 "$(grep -cv "^#" "$DATA/flows/thresh-p3.flows")" 30 || return 1
	burst thresh-p4 thresh-p4
	ipvsadm -C
}

name=${1:?usage: scenario.sh NAME}
if ! net_setup; then
	result "$name" FAIL "network setup failed"
	exit 1
fi
t0=$(now)
case $name in
static-*) scenario_static "$name" ;;
live) scenario_live ;;
order-wmh) scenario_order wmh ;;
order-mh) scenario_order mh ;;
storm) scenario_storm ;;
params) scenario_params ;;
snapshot-roundtrip) scenario_snapshot_roundtrip ;;
failrebuild) scenario_failrebuild wmh failrebuild ;;
failrebuild-hrw) scenario_failrebuild hrw failrebuild-hrw ;;
failrebuild-chbl) scenario_failrebuild chbl failrebuild-chbl ;;
dropin-mh) scenario_dropin mh ;;
dropin-sh) scenario_dropin sh ;;
keepalived) scenario_keepalived ;;
ka-samples) scenario_ka_samples ;;
kbench) scenario_kbench ;;
memory) sh /test/memory.sh ;;
fwmark | reuse-[0-3]) . /test/scenario-net.sh && net_scenario "$name" ;; # scenario-net.sh
verify | verify-dropin | verify-hrw | verify-chbl) . /test/scenario-verify.sh && verify_scenario "$name" ;; # scenario-verify.sh
whatif) . /test/scenario-net.sh && . /test/scenario-whatif.sh && scenario_whatif ;; # scenario-whatif.sh
ramp) . /test/scenario-ramp.sh && ramp_scenario ;; # scenario-ramp.sh
outgrow) . /test/scenario-outgrow.sh && scenario_outgrow ;; # scenario-outgrow.sh
capture) . /test/scenario-capture.sh && scenario_capture ;; # scenario-capture.sh
persist-eqt[01]) scenario_persist "${name#persist-eqt}" ;;
nodest-[01]) scenario_nodest "${name#nodest-}" ;;
thresh) scenario_thresh ;;
*) result "$name" FAIL "no such scenario" ;;
esac
log "scenario $name: $t0 -> $(now)"
