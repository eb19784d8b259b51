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
	if [ "$bad" -eq 0 ] && [ "$sent" = ok ] && ipvsadm -C; then
		result storm PASS "$ops ipvsadm operations while flows were sent"
	else
		result storm FAIL "$bad failed batches ($(head -c 200 /tmp/storm.err)); $sent"
	fi
}

# params: ip_vs_wmh loaded (by init) with table_size, hash_key and
# port_hash; the burst record carries them to the prediction.
scenario_params() {
	apply params params || return 1
	burst params params-u4 params-t6
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
*) result "$name" FAIL "no such scenario" ;;
esac
log "scenario $name: $t0 -> $(now)"
