# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The capture scenario (inputs from prepare-capture.sh), sourced by
# scenario.sh: ipvs-capture runs live on dummy0 with the VIPs read from the
# kernel over netlink and samples ip_vs_conn, while flowgen sends the VIPs'
# flows and the noise; SIGINT ends it. The host (compare-capture.sh) holds
# the trace against the flow lists: exactly the flows sent to the VIPs.
#   capture-live        ipvs-capture started, was stopped by SIGINT, exit 0,
#                       its summary counts as many flows as were sent
#   capture-no-cap      in a user namespace (no CAP_NET_RAW): exit 2 and
#                       "cannot capture"
#   capture-lo          whole TCP connections (flowgen connect to flowgen
#                       listen) captured on lo with --vip: exit 0; the host
#                       checks their FIN-closed flows (capture-lo.trace)
# Sent to the host: capture.ln (the rules), capture.err, capture.trace and
# capture.conn (gz).

# capture_wait_ready PID ERR: ipvs-capture PID said on ERR that it captures.
capture_wait_ready() {
	_i=0
	while [ "$_i" -lt 100 ]; do
		grep -q '^ipvs-capture: capturing on' "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

scenario_capture() {
	if ! command -v ipvs-capture >/dev/null; then
		result capture FAIL "ipvs-capture is not in the initramfs (mkinitramfs.sh --capture)"
		return 1
	fi
	apply capture capture || return 1
	ipvsadm -Ln >/tmp/capture.ln 2>&1
	emit_file capture.ln /tmp/capture.ln
	rm -f /tmp/capture.trace /tmp/capture.conn
	ipvs-capture -i dummy0 -o /tmp/capture.trace --interval 0.5 --conn-output /tmp/capture.conn \
		2>/tmp/capture.err &
	pid=$!
	if ! capture_wait_ready "$pid" /tmp/capture.err; then
		result capture-live FAIL "ipvs-capture did not start: $(head -c 300 /tmp/capture.err)"
		kill "$pid" 2>/dev/null
		return 1
	fi
	flowgen send "$DATA/flows/capture-t4.flows" "$DATA/flows/capture-u6.flows" \
		"$DATA/flows/capture-noise-u4.flows" "$DATA/flows/capture-noise-t4.flows" \
		2>/tmp/capture-send.err ||
		result capture-send FAIL "flowgen send: $(head -c 300 /tmp/capture-send.err)"
	sleep 1
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	sent=$(($(grep -c -v '^#' "$DATA/flows/capture-t4.flows") + $(grep -c -v '^#' "$DATA/flows/capture-u6.flows")))
	summary=$(grep '^ipvs-capture: [0-9]* flows' /tmp/capture.err)
	if [ "$rc" -ne 0 ] || [ ! -f /tmp/capture.trace ]; then
		result capture-live FAIL "exit $rc: $(head -c 300 /tmp/capture.err | tr '\n' '|')"
	elif ! echo "$summary" | grep -q "^ipvs-capture: $sent flows"; then
		result capture-live FAIL "$sent flows sent to the VIPs; $summary"
	else
		result capture-live PASS "$(head -n 1 /tmp/capture.err | cut -c1-120); $summary"
	fi
	emit_file capture.err /tmp/capture.err
	[ ! -f /tmp/capture.trace ] || emit_gz capture.trace /tmp/capture.trace
	[ ! -f /tmp/capture.conn ] || emit_gz capture.conn /tmp/capture.conn

	unshare -U ipvs-capture -i dummy0 --vip 10.0.50.1 --duration 1 >/tmp/capture.out 2>&1
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q '^ipvs-capture: dummy0: cannot capture: ' /tmp/capture.out; then
		result capture-no-cap PASS "$(head -n 1 /tmp/capture.out | cut -c1-160)"
	else
		result capture-no-cap FAIL "exit $rc: $(head -c 300 /tmp/capture.out)"
	fi
	capture_lo
	ipvsadm -C
}

# Whole connections: SYN, data-less close from the server, the client's FIN.
capture_lo() {
	flowgen listen 10.99.255.1:7080 2>/tmp/capture-listen.err &
	lpid=$!
	: >/tmp/capture-lo.err
	ipvs-capture -i lo --vip tcp:10.99.255.1:7080 -o /tmp/capture-lo.trace --close-timeout 1 \
		2>/tmp/capture-lo.err &
	pid=$!
	if ! capture_wait_ready "$pid" /tmp/capture-lo.err; then
		result capture-lo FAIL "ipvs-capture -i lo did not start: $(head -c 300 /tmp/capture-lo.err)"
		kill "$pid" "$lpid" 2>/dev/null
		return 1
	fi
	flowgen connect --quiet "$DATA/flows/capture-lo.flows" >/tmp/capture-connect.out 2>/tmp/capture-connect.err ||
		result capture-lo-connect FAIL "flowgen connect: $(head -c 300 /tmp/capture-connect.err)"
	sleep 0.5
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	if [ "$rc" -eq 0 ] && [ -f /tmp/capture-lo.trace ]; then
		result capture-lo PASS "$(tail -n 1 /tmp/capture-lo.err)"
		emit_file capture-lo.trace /tmp/capture-lo.trace
	else
		result capture-lo FAIL "exit $rc: $(head -c 300 /tmp/capture-lo.err | tr '\n' '|')"
	fi
}
