# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The ramp scenario (issue 11), sourced by scenario.sh (which has sourced
# lib.sh and run net_setup in this scenario's namespace): ramp_scenario.
# Inputs from tests/vm/prepare-ramp.sh (/data/ramp/, /data/cmds/ramp-setup,
# /data/flows/ramp-u1, ramp-u2); host-side checks in tests/vm/compare-ramp.sh.
#
# The setup's two services (wmh and mh) are ramped to ramp/target.rules by
# `ipvs-sim ramp --apply --steps 1`, run once per step: the probe flows go
# out before the first step and after each (bursts ramp-0..ramp-N, which
# compare.sh predicts flow by flow; compare-ramp.sh measures each step's
# moves from them), their entries expired in between so that every burst
# is scheduled afresh: they live 10 s (UDP timeout), but right after each
# burst expire_soon (scenario.sh) cuts them to a second while the next
# step is planned or applied, and the burst after it waits until none is
# left. Then:
#   ramp-plan     the dry run's plan has N >= 2 steps and exit 0
#   ramp-step-K   step K applied: exit 0, one step applied
#   ramp-target   the rules (ipvsadm -Sn) equal the target's, restored by
#                 ipvsadm -R into an empty namespace; a dry run plans 0 steps
#   ramp-sigint   the ramp back to the setup, --apply --pause 600, gets
#                 SIGINT after its first step: exit 130, "steps 1 to 1 of N"
#                 on stderr, and from the rules left the plan is the back
#                 plan's steps 2..N, edit for edit
#   ramp-drift    a ramp back with --pause 10 whose real servers another
#                 ipvsadm -e changes after its first step: exit 1 before
#                 step 2, the service named, the other edit in place
# shellcheck disable=SC2154 # burst_t0: set by burst (lib.sh)
RAMP_DIR=$DATA/ramp

# The wmh module's parameters as ipvs-sim's options.
ramp_wmh_opts() {
	_p=/sys/module/ip_vs_wmh/parameters
	[ -d "$_p" ] || return 0
	printf -- '--wmh-table-size %s' "$(cat $_p/table_size)"
	_k=$(cat $_p/hash_key)
	[ "$_k" = "(null)" ] || printf -- ' --wmh-hash-key %s' "$_k"
	[ "$(cat $_p/port_hash)" != Y ] || printf -- ' --wmh-port-hash'
	[ "$(cat $_p/overflow)" != Y ] || printf -- ' --wmh-overflow'
	_n=$(cat $_p/sched_name 2>/dev/null || echo wmh)
	[ "$_n" = wmh ] || printf -- ' --wmh-sched-name %s' "$_n"
}

# ramp_steps FILE: the number of steps of a --json plan.
ramp_steps() {
	grep -c '"step": ' "$1"
}

# ramp_edits FILE FROM: the edit lines of a --json plan's steps FROM.. (the
# keys are sorted: a step's "step" number follows its services).
ramp_edits() {
	awk -v from="$2" 'BEGIN { n = 0; skip = 0 }
		/^ *"-[aed] / { e[n++] = $0 }
		/^ *"step": / { s = $2 + 0; if (s == from - 1) skip = n }
		END { for (i = skip; i < n; i++) { sub(/^ */, "", e[i]); sub(/,$/, "", e[i]); print e[i] } }' "$1"
}

ramp_scenario() {
	if ! command -v ipvs-sim >/dev/null; then
		result ramp FAIL "no ipvs-sim in the initramfs (mkinitramfs.sh --ipvs-sim; run-all.sh passes --sim)"
		return 1
	fi
	apply ramp ramp-setup || return 1
	# shellcheck disable=SC2046 # the options are words without blanks
	set -- $(ramp_wmh_opts)
	_target=$RAMP_DIR/target.rules
	burst ramp-0 ramp-u1 ramp-u2
	expire_soon "$burst_t0" 10 ramp-u1 ramp-u2
	ipvs-sim "$@" ramp --probe-keys 10000 --target "$_target" >/tmp/ramp-plan.txt 2>&1
	_rc=$?
	emit_file ramp-plan.txt /tmp/ramp-plan.txt
	ipvs-sim "$@" ramp --probe-keys 10000 --target "$_target" --json >/tmp/ramp-plan.json 2>/tmp/ramp-plan.err
	emit_file ramp-plan.json /tmp/ramp-plan.json
	_n=$(ramp_steps /tmp/ramp-plan.json)
	if [ "$_rc" -ne 0 ] || [ "$_n" -lt 2 ]; then
		result ramp-plan FAIL "exit $_rc, $_n steps: $(head -c 300 /tmp/ramp-plan.txt /tmp/ramp-plan.err | tr '\n' '|')"
		return 1
	fi
	result ramp-plan PASS "$_n steps planned from the live rules"
	_k=0
	while [ "$_k" -lt "$_n" ]; do
		_k=$((_k + 1))
		ipvs-sim "$@" ramp --probe-keys 10000 --target "$_target" --apply --steps 1 --json \
			>/tmp/ramp-step.json 2>/tmp/ramp-step.err
		_rc=$?
		emit_file "ramp-step-$_k.json" /tmp/ramp-step.json
		if [ "$_rc" -ne 0 ] || ! grep -q '"applied": 1,' /tmp/ramp-step.json; then
			result "ramp-step-$_k" FAIL "exit $_rc: $(head -c 300 /tmp/ramp-step.err | tr '\n' '|')"
			return 1
		fi
		result "ramp-step-$_k" PASS "step $_k of $_n applied"
		wait_conns "ramp-expire-$((_k - 1))" 0 30 || return 1
		burst "ramp-$_k" ramp-u1 ramp-u2
		[ "$_k" -eq "$_n" ] || expire_soon "$burst_t0" 10 ramp-u1 ramp-u2
	done
	ipvsadm -Sn | sort >/tmp/ramp-final.sn
	# An empty namespace needs the routes for ipvsadm to take the servers.
	unshare -n sh -c ". /test/lib.sh && net_setup && ipvsadm -R <$_target && ipvsadm -Sn" 2>&1 |
		sort >/tmp/ramp-target.sn
	ipvs-sim "$@" ramp --probe-keys 10000 --target "$_target" --json >/tmp/ramp-left.json 2>&1
	if ! cmp -s /tmp/ramp-final.sn /tmp/ramp-target.sn; then
		result ramp-target FAIL "ipvsadm -Sn after $_n steps is not the target's"
		emit_file ramp-final.sn /tmp/ramp-final.sn
		emit_file ramp-target.sn /tmp/ramp-target.sn
	elif [ "$(ramp_steps /tmp/ramp-left.json)" -ne 0 ]; then
		result ramp-target FAIL "the target is in place but a dry run still plans steps"
	else
		result ramp-target PASS "ipvsadm -Sn equals the target's $(grep -c '^-a' /tmp/ramp-target.sn) real servers after $_n steps; a dry run plans none"
	fi
	ramp_sigint "$@"
	ramp_drift "$@"
	ipvsadm -C
}

# ramp_wait_step1 OUT: waits (60 s at most) for a ramp's "applied step 1".
ramp_wait_step1() {
	_i=0
	while ! grep -q '^applied step 1 of' "$1" && [ "$_i" -lt 240 ]; do
		sleep 0.25
		_i=$((_i + 1))
	done
}

# ramp_drift WMH_OPTS...: another edit of a real server between two steps
# (ipvsadm -e during the pause): the ramp stops before its next step with
# exit 1, names the service and where it stopped, and leaves that edit
# and its own first step in place.
ramp_drift() {
	_back=$RAMP_DIR/setup.rules
	ipvs-sim "$@" ramp --probe-keys 10000 --target "$_back" --apply --pause 10 \
		>/tmp/ramp-drift.out 2>/tmp/ramp-drift.err &
	_pid=$!
	ramp_wait_step1 /tmp/ramp-drift.out
	ipvsadm -e -u 10.0.50.1:53 -r 172.28.50.3:53 -m -w 77
	wait "$_pid"
	_rc=$?
	emit_file ramp-drift.err /tmp/ramp-drift.err
	if [ "$_rc" -ne 1 ]; then
		result ramp-drift FAIL "exit $_rc, not 1: $(head -c 300 /tmp/ramp-drift.err | tr '\n' '|')"
	elif ! grep -q 'step 2 of [0-9]* not applied: the real servers of -u 10.0.50.1:53 changed under the ramp; steps 1 to 1 of' /tmp/ramp-drift.err; then
		result ramp-drift FAIL "not the message wanted: $(head -c 300 /tmp/ramp-drift.err | tr '\n' '|')"
	elif ! ipvsadm -Sn | grep -q -- '-r 172.28.50.3:53 -m -w 77'; then
		result ramp-drift FAIL "the other edit is not in place"
	else
		result ramp-drift PASS "an edit between steps 1 and 2 stops the ramp: exit 1, $(head -c 200 /tmp/ramp-drift.err)"
	fi
}

# ramp_sigint WMH_OPTS...: the ramp back, interrupted after its first step.
ramp_sigint() {
	_back=$RAMP_DIR/setup.rules
	ipvs-sim "$@" ramp --probe-keys 10000 --target "$_back" --json >/tmp/ramp-back.json 2>&1
	_nb=$(ramp_steps /tmp/ramp-back.json)
	ipvs-sim "$@" ramp --probe-keys 10000 --target "$_back" --apply --pause 600 >/tmp/ramp-int.out 2>/tmp/ramp-int.err &
	_pid=$!
	ramp_wait_step1 /tmp/ramp-int.out
	kill -INT "$_pid"
	wait "$_pid"
	_rc=$?
	emit_file ramp-int.out /tmp/ramp-int.out
	emit_file ramp-int.err /tmp/ramp-int.err
	ipvs-sim "$@" ramp --probe-keys 10000 --target "$_back" --json >/tmp/ramp-rest.json 2>&1
	ramp_edits /tmp/ramp-back.json 2 >/tmp/ramp-back.edits
	ramp_edits /tmp/ramp-rest.json 1 >/tmp/ramp-rest.edits
	if [ "$_nb" -lt 2 ]; then
		result ramp-sigint FAIL "the ramp back has $_nb steps; the case needs two"
	elif [ "$_rc" -ne 130 ]; then
		result ramp-sigint FAIL "exit $_rc, not 130: $(head -c 300 /tmp/ramp-int.err | tr '\n' '|')"
	elif ! grep -q "steps 1 to 1 of $_nb are applied" /tmp/ramp-int.err; then
		result ramp-sigint FAIL "no 'steps 1 to 1 of $_nb' in: $(head -c 300 /tmp/ramp-int.err | tr '\n' '|')"
	elif [ "$(ramp_steps /tmp/ramp-rest.json)" -ne $((_nb - 1)) ] ||
		! cmp -s /tmp/ramp-back.edits /tmp/ramp-rest.edits; then
		result ramp-sigint FAIL "from the rules left, the plan is not steps 2..$_nb of the ramp back"
		emit_file ramp-back.json /tmp/ramp-back.json
		emit_file ramp-rest.json /tmp/ramp-rest.json
	else
		result ramp-sigint PASS "SIGINT after step 1 of $_nb: exit 130, step 1 in place, the rest ($(wc -l </tmp/ramp-back.edits) edits) planned from it alike"
	fi
}
