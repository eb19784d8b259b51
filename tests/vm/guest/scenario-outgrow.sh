# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The outgrown-table scenario (issue 11), sourced by scenario.sh (which has
# sourced lib.sh and run net_setup in this scenario's namespace): inputs
# from tests/vm/prepare-outgrow.sh, host-side checks in
# tests/vm/compare-outgrow.sh. Uses scenario-verify.sh's helpers.
#
# outgrow: ip_vs_wmh reloaded with table_size=13; a wmh UDP service given 20
#   servers by ipvsadm -R (each add past the 13th fails with -ENOSPC and the
#   table of the first 13 serves) and a wmh TCP one that fits. The kernel
#   log and the export say so (outgrow-log, outgrow-export); a burst
#   (outgrow-1) and the exports as they are then; two servers of each
#   service drained and one reweighted; a second burst (outgrow-2) and the
#   exports again. The host predicts both bursts from the rules (the model),
#   and from the saved exports (--export). Leaves ip_vs_wmh loaded with its
#   defaults.

. /test/scenario-verify.sh

# outgrow_export_check CASE: the UDP service's export serves 13 dests, with
# last_error -28 and the counts in its reason.
outgrow_export_check() {
	cat "$(verify_file udp-10.0.43.1-53)" >/tmp/outgrow.export 2>/tmp/outgrow.err
	if [ "$(verify_field /tmp/outgrow.export last_error)" = "-28 20 servers, 13 slots" ] &&
		[ "$(verify_field /tmp/outgrow.export dests)" = 13 ] &&
		[ "$(verify_field /tmp/outgrow.export table_size)" = 13 ]; then
		result "$1" PASS "last_error -28 20 servers, 13 slots; 13 dests serving; $(verify_field /tmp/outgrow.export failed_rebuilds) failed rebuilds"
	else
		result "$1" FAIL "$(grep -E '^(last_error|dests|table_size) ' /tmp/outgrow.export /tmp/outgrow.err | tr '\n' '|')"
		emit_file "$1.export" /tmp/outgrow.export
	fi
}

scenario_outgrow() {
	grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
		mount -t debugfs debugfs /sys/kernel/debug
	# shellcheck disable=SC2046 # the parameters are separate words
	verify_load outgrow $(cat "$DATA/outgrow/module.params") || return 1
	apply outgrow outgrow-setup || return 1
	if dmesg | grep -q '10.0.43.1:53: table rebuild failed (-28), previous table kept: 14 servers, 13 slots'; then
		result outgrow-log PASS "$(dmesg | grep -m 1 '10.0.43.1:53: table rebuild failed' | sed 's/^\[[^]]*\] //')"
	else
		result outgrow-log FAIL "dmesg: $(dmesg | grep 'rebuild failed' | tail -n 1)"
	fi
	outgrow_export_check outgrow-export
	burst outgrow-1 outgrow-u1 outgrow-t1
	verify_emit_exports outgrow-1
	apply outgrow outgrow-drain || return 1
	outgrow_export_check outgrow-export-drained
	burst outgrow-2 outgrow-u2 outgrow-t2
	verify_emit_exports outgrow-2
	ipvsadm -C
	verify_load outgrow-restore || return 1
}
