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
		burst "live-$step" "live-$step-u4" "live-$step-u6" "live-$step-mh"
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

# storm: >= 1000 ipvsadm edits in -R batches while flows are being sent; the
# kernel must stay healthy (checked by init afterwards).
scenario_storm() {
	apply storm storm-setup || return 1
	flowgen send --quiet "$DATA/flows/storm-u4.flows" "$DATA/flows/storm-t6.flows" \
		2>/tmp/storm-send.err &
	pid=$!
	ops=0
	bad=0
	for f in "$DATA"/cmds/storm-batch-*.ipvsadm; do
		if ipvsadm -R <"$f" 2>>/tmp/storm.err; then
			ops=$((ops + $(wc -l <"$f")))
		else
			bad=$((bad + 1))
		fi
	done
	if wait "$pid"; then
		sent=ok
	else
		sent="flowgen send failed: $(head -c 200 /tmp/storm-send.err)"
	fi
	if [ "$bad" -eq 0 ] && [ "$sent" = ok ]; then
		result storm PASS "$ops ipvsadm operations while flows were sent"
	else
		result storm FAIL "$bad failed batches ($(head -c 200 /tmp/storm.err)); $sent"
	fi
	# Still in agreement afterwards (the host predicts this burst).
	burst storm-after storm-after-u4 storm-after-t6 storm-after-mh
	ipvsadm -C || result storm-clear FAIL "ipvsadm -C failed"
}

# params: ip_vs_wmh loaded (by init) with table_size, hash_key and
# port_hash; the burst record carries them to the prediction.
scenario_params() {
	apply params params || return 1
	burst params params-u4 params-t6
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
scenario_failrebuild() {
	fail=/sys/module/ip_vs_wmh/parameters/debug_fail_rebuilds
	vip=10.0.7.1:53
	echo 1 >"$fail"
	if ipvsadm -A -u "$vip" -s wmh 2>/tmp/fr.err; then
		result failrebuild-add FAIL "ipvsadm -A succeeded although the table build failed"
	elif [ -z "$(ipvsadm -Sn)" ]; then
		result failrebuild-add PASS "ipvsadm -A refused: $(head -c 100 /tmp/fr.err)"
	else
		result failrebuild-add FAIL "service exists after a failed build"
	fi
	echo 0 >"$fail"
	ipvsadm -A -u "$vip" -s wmh || return 1
	for i in 1 2 3 4 5 6 7 8; do
		ipvsadm -a -u "$vip" -r "172.16.7.$i:53" -m -w 1 || return 1
	done
	# Three lists of the same 200 clients (same seed), each on new ports.
	for list in a:20000 b:30000 c:40000; do
		if ! flowgen gen --vip "$vip" --clients 10.99.0.0/16 --addrs 200 --ports 1 \
			--count 200 --seed 7 --port-base "${list#*:}" \
			-o "/tmp/fr-${list%:*}.flows" 2>/tmp/fr.err; then
			result failrebuild FAIL "flowgen gen: $(head -c 200 /tmp/fr.err)"
			return 1
		fi
	done
	flowgen send --quiet /tmp/fr-a.flows && flowgen pick /tmp/fr-a.flows >/tmp/fr-a.conn
	echo 1 >"$fail"
	ipvsadm -e -u "$vip" -r 172.16.7.1:53 -m -w 50
	flowgen send --quiet /tmp/fr-b.flows && flowgen pick /tmp/fr-b.flows >/tmp/fr-b.conn
	if ! dmesg | grep -q 'table rebuild failed (-12), previous table kept'; then
		result failrebuild-kept FAIL "no 'previous table kept' message in dmesg"
	elif [ "$(dests_of /tmp/fr-a.conn)" = "$(dests_of /tmp/fr-b.conn)" ] &&
		[ "$(dests_of /tmp/fr-a.conn | wc -l)" -eq 200 ]; then
		result failrebuild-kept PASS "failed rebuild logged; all 200 clients kept their dest"
	else
		result failrebuild-kept FAIL "clients moved although the rebuild failed"
	fi
	ipvsadm -e -u "$vip" -r 172.16.7.1:53 -m -w 51
	flowgen send --quiet /tmp/fr-c.flows && flowgen pick /tmp/fr-c.flows >/tmp/fr-c.conn
	heavy=$(awk 'NR > 1 && $6 == "AC100701" { n++ } END { print n + 0 }' /tmp/fr-c.conn)
	if [ "$heavy" -gt 120 ]; then
		result failrebuild-recover PASS "next rebuild applied weight 51: $heavy of 200 clients on it"
	else
		result failrebuild-recover FAIL "only $heavy of 200 clients on the weight-51 dest"
	fi
	ipvsadm -C
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
failrebuild) scenario_failrebuild ;;
kbench) scenario_kbench ;;
*) result "$name" FAIL "no such scenario" ;;
esac
log "scenario $name: $t0 -> $(now)"
