# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The table export and ipvs-verify scenarios (issue 11), sourced by
# scenario.sh (which has sourced lib.sh and run net_setup in this
# scenario's namespace): verify_scenario NAME runs one of them. Inputs from
# tests/vm/prepare-verify.sh (/data/verify/, /data/cmds/verify-*,
# /data/flows/verify-*); host-side checks in tests/vm/compare-verify.sh.
#
# verify: ip_vs_wmh reloaded with table_size=251 and a key of its own; four
#   wmh services (UDP v4, TCP v6 flag-2, fwmark, one without dests) and an
#   rr one. The export's files, modes and fields (verify-export), a burst
#   the host predicts (verify-1), then ipvs-verify: identical after the
#   burst, exit 1 with a wrong --hash-key or --table-size, a new generation
#   after an edit, the old table reported as serving after a failed rebuild
#   (debug_fail_rebuilds) and after one that fails for want of slots (252
#   servers, 251 slots), identical after a storm of edits with drained
#   dests; exit 2 without debugfs, without CAP_NET_ADMIN and without the
#   module, whose unload must take the export with it.
# verify-dropin: ip_vs_wmh loaded as mh (sched_name=mh, default size and
#   key): the export under the drop-in name and ipvs-verify identical after
#   a burst the host predicts with --wmh-sched-name mh.
# Both leave ip_vs_wmh loaded with its defaults.

VERIFY_EXPORT=/sys/kernel/debug/ip_vs_wmh
VERIFY_PARAMS=/sys/module/ip_vs_wmh/parameters

# verify_load CASE PARAMS...: ip_vs_wmh loaded with exactly PARAMS (no
# modprobe file enabled), reloaded if it is loaded already; with
# sched_name=mh (sh), the in-tree ip_vs_mh (ip_vs_sh) unloaded first.
verify_load() {
	_case=$1
	shift
	rm -f /etc/modprobe.d/*.conf
	for _m in ip_vs_wmh $(echo "$*" | sed -n 's/.*sched_name=\(mh\|sh\).*/ip_vs_\1/p'); do
		if [ -d "/sys/module/$_m" ] && ! rmmod_retry "$_m"; then
			result "$_case-load" FAIL "$_m busy: $(cat /tmp/rmmod.err)"
			return 1
		fi
	done
	if ! insmod "$WMH_KO" "$@" 2>/tmp/insmod.err; then
		result "$_case-load" FAIL "insmod ip_vs_wmh.ko $*: $(cat /tmp/insmod.err)"
		return 1
	fi
}

# verify_netns: this namespace's inode, as the export's file names start.
verify_netns() {
	_ns=$(readlink /proc/self/ns/net)
	_ns=${_ns#net:[}
	echo "${_ns%]}"
}

# verify_run CASE WANT ARGS...: ipvs-verify ARGS must exit WANT; its
# output in /tmp/verify.out (stdout) and /tmp/verify.err, and with the
# command in /tmp/verify-session.txt (sent to the host at the end).
verify_run() {
	_case=$1
	_want=$2
	shift 2
	ipvs-verify "$@" >/tmp/verify.out 2>/tmp/verify.err
	_rc=$?
	{
		echo "# ipvs-verify $*"
		cat /tmp/verify.out /tmp/verify.err
		echo "# exit status $_rc"
	} >>/tmp/verify-session.txt
	if [ "$_rc" -ne "$_want" ]; then
		result "$_case" FAIL "ipvs-verify $* exited $_rc, not $_want: $(head -c 400 /tmp/verify.out /tmp/verify.err | tr '\n' '|')"
		emit_file "$_case.verify" /tmp/verify.out
		return 1
	fi
}

# verify_expect CASE PATTERN DETAIL: the last run's output (stdout and
# stderr) has a line matching the extended regex PATTERN.
verify_expect() {
	if cat /tmp/verify.out /tmp/verify.err | grep -q -E "$2"; then
		result "$1" PASS "$3"
	else
		result "$1" FAIL "no '$2' in: $(head -c 400 /tmp/verify.out /tmp/verify.err | tr '\n' '|')"
		emit_file "$1.verify" /tmp/verify.out
	fi
}

# verify_field FILE KEY: the value of a header line of an export.
verify_field() {
	awk -v k="$2" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' "$1"
}

# verify_file VIP-PART: the export file of this namespace's service whose
# name has VIP-PART ("udp-10.0.40.1-53").
verify_file() {
	echo "$VERIFY_EXPORT/$(verify_netns)-$1"
}

# The export itself: one file per wmh service of this namespace, 0400,
# the module's facts, never the key.
verify_export_check() {
	_ns=$(verify_netns)
	_files=0
	for _f in "$VERIFY_EXPORT/$_ns"-*; do
		[ ! -f "$_f" ] || _files=$((_files + 1))
	done
	_modes=$(for _f in "$VERIFY_EXPORT/$_ns"-*; do stat -c %a "$_f"; done | sort -u | tr '\n' ' ')
	_f=$(verify_file udp-10.0.40.1-53)
	cat "$_f" >/tmp/export.txt 2>/tmp/export.err
	_bad=
	[ "$_files" -eq 4 ] || _bad="$_bad; $_files files, not 4"
	[ "$_modes" = "400 " ] || _bad="$_bad; modes $_modes"
	head -n 1 /tmp/export.txt | grep -q '^ip_vs_wmh table export 1$' || _bad="$_bad; bad first line"
	[ "$(verify_field /tmp/export.txt netns)" = "$_ns" ] || _bad="$_bad; netns not $_ns"
	[ "$(verify_field /tmp/export.txt service)" = "udp 10.0.40.1:53" ] || _bad="$_bad; service line"
	[ "$(verify_field /tmp/export.txt table_size)" = 251 ] || _bad="$_bad; table_size"
	[ "$(verify_field /tmp/export.txt sched_name)" = wmh ] || _bad="$_bad; sched_name"
	[ "$(verify_field /tmp/export.txt last_error)" = 0 ] || _bad="$_bad; last_error"
	[ "$(verify_field /tmp/export.txt dests)" = 8 ] || _bad="$_bad; dests"
	[ "$(grep -c '^dest ' /tmp/export.txt)" -eq 8 ] || _bad="$_bad; dest lines"
	tail -n 1 /tmp/export.txt | grep -q '^end$' || _bad="$_bad; no end line"
	_key=$(cat "$VERIFY_PARAMS/hash_key")
	_k0=$(echo "$_key" | cut -c1-16)
	_k1=$(echo "$_key" | cut -c17-32)
	if grep -q -i -e "$_k0" -e "$_k1" "$VERIFY_EXPORT/$_ns"-*; then
		_bad="$_bad; the key shows in the export"
	fi
	grep -q '^hash_key_fingerprint [0-9a-f]\{8\}$' /tmp/export.txt || _bad="$_bad; no fingerprint"
	_v6=$(verify_file 'tcp-fd00::40:1-80')
	grep -q '^service tcp \[fd00::40:1\]:80$' "$_v6" || _bad="$_bad; no IPv6 service file"
	grep -q '^port_hash 1$' "$_v6" || _bad="$_bad; flag-2 not shown as port_hash 1"
	grep -q '^service fwmark 40 ipv4$' "$(verify_file fwmark-40-ipv4)" || _bad="$_bad; no fwmark file"
	if [ -n "$_bad" ]; then
		result verify-export FAIL "${_bad#; }"
		emit_file verify-export.txt /tmp/export.txt
	else
		result verify-export PASS "4 files of 0400 for the 4 wmh services of netns $_ns, no key, $(wc -l </tmp/export.txt) lines for 251 slots"
	fi
	emit_file verify-udp.export /tmp/export.txt
	cat "$_v6" >/tmp/export-v6.txt && emit_file verify-tcp6.export /tmp/export-v6.txt
}

# verify_emit_exports NAME: a copy of this namespace's export files (read
# with cat: debugfs files have no size) as NAME.exports.tar for the host.
verify_emit_exports() {
	rm -rf /tmp/exports && mkdir -p /tmp/exports
	for _f in "$VERIFY_EXPORT/$(verify_netns)"-*; do
		cat "$_f" >"/tmp/exports/${_f##*/}"
	done
	tar -C /tmp/exports -cf /tmp/exports.tar . && emit_gz "$1.exports.tar" /tmp/exports.tar
}

scenario_verify() {
	if ! command -v ipvs-verify >/dev/null; then
		result verify FAIL "ipvs-verify is not in the initramfs (mkinitramfs.sh --verify)"
		return 1
	fi
	grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
		mount -t debugfs debugfs /sys/kernel/debug
	# shellcheck disable=SC2046 # the parameters are separate words
	verify_load verify $(cat "$DATA/verify/module.params") || return 1
	key=$(cat "$DATA/verify/hash_key")
	: >/tmp/verify-session.txt
	apply verify verify-setup || return 1
	verify_export_check
	burst verify-1 verify-u4 verify-t6

	verify_run verify-identical 0 &&
		verify_expect verify-identical '4 services served by wmh: 4 identical' \
			"after the burst: $(tail -n 1 /tmp/verify.out)"
	verify_run verify-json 0 --json &&
		verify_expect verify-json '"identical": 4, "old_table": 0, "differs": 0, "result": "identical"' \
			"--json: 4 identical"
	verify_run verify-explicit 0 --table-size 251 --hash-key "$key" &&
		verify_expect verify-explicit '4 identical' "--table-size 251 --hash-key (the module's): identical"
	verify_run verify-wrong-key 1 --hash-key default &&
		verify_expect verify-wrong-key 'slot [0-9]+: kernel .*, computed ' \
			"--hash-key default: exit 1, $(grep -c DIFFERS /tmp/verify.out) services differ; $(grep -m 1 'DIFFERS in' /tmp/verify.out)"
	verify_run verify-wrong-size 1 --table-size 257 &&
		verify_expect verify-wrong-size 'table has 251 slots, 257 expected' \
			"--table-size 257: exit 1: $(grep -m 1 'expected' /tmp/verify.out)"

	# Every successful rebuild gives the table a new generation.
	f=$(verify_file udp-10.0.40.1-53)
	g0=$(verify_field "$f" generation)
	ipvsadm -e -u 10.0.40.1:53 -r 172.28.1.3:53 -m -w 60
	g1=$(verify_field "$f" generation)
	if [ -n "$g0" ] && [ -n "$g1" ] && [ "$g1" -gt "$g0" ]; then
		result verify-generation PASS "generation $g0 -> $g1 after -e"
	else
		result verify-generation FAIL "generation '$g0' -> '$g1' after -e"
	fi

	# A failed rebuild: the old table keeps serving, and ipvs-verify says so.
	echo 1 >"$VERIFY_PARAMS/debug_fail_rebuilds"
	ipvsadm -e -u 10.0.40.1:53 -r 172.28.1.3:53 -m -w 77
	cat "$f" >/tmp/export-fail.txt
	if [ "$(verify_field /tmp/export-fail.txt last_error)" = "-12 out of memory (debug_fail_rebuilds)" ] &&
		[ "$(verify_field /tmp/export-fail.txt generation)" = "$g1" ] &&
		[ "$(verify_field /tmp/export-fail.txt failed_rebuilds)" = 1 ] &&
		grep -q '^dest [0-9]* addr=172.28.1.3:53 table_weight=60 weight=77 state=up$' /tmp/export-fail.txt; then
		result verify-export-failed PASS "last_error -12, generation $g1 kept, 172.28.1.3 table_weight 60 weight 77"
	else
		result verify-export-failed FAIL "$(grep -E '^(generation|last_error|failed_rebuilds|dest .*172.28.1.3:)' /tmp/export-fail.txt | tr '\n' '|')"
	fi
	emit_file verify-failed.export /tmp/export-fail.txt
	verify_run verify-failed-rebuild 0 &&
		verify_expect verify-failed-rebuild 'udp 10.0.40.1:53: SERVING AN OLD TABLE: the last rebuild failed \(-12: out of memory' \
			"$(grep -m 1 'OLD TABLE' /tmp/verify.out | cut -c1-160); $(grep -m 1 'weight 77' /tmp/verify.out)"
	verify_expect verify-failed-rebuild-note '172.28.1.3:53 has weight 77 in the configuration, the table was built with 60' \
		"the configuration's change is named"
	verify_run verify-failed-rebuild-strict 1 --strict &&
		verify_expect verify-failed-rebuild-strict 'OLD TABLE' "--strict: exit 1"
	verify_run verify-failed-rebuild-json 0 --json &&
		verify_expect verify-failed-rebuild-json '"status": "old-table", .*"last_error": -12, "last_error_reason": "out of memory \(debug_fail_rebuilds\)", "serving_old_table": true' \
			"--json: old-table, last_error -12"
	if dmesg | grep -q '10.0.40.1:53: table rebuild failed (-12), previous table kept: out of memory (debug_fail_rebuilds)'; then
		result verify-failed-rebuild-log PASS "dmesg names the cause"
	else
		result verify-failed-rebuild-log FAIL "dmesg: $(dmesg | grep 'rebuild failed' | tail -n 1)"
	fi
	ipvsadm -e -u 10.0.40.1:53 -r 172.28.1.3:53 -m -w 78
	g2=$(verify_field "$f" generation)
	verify_run verify-recovered 0 &&
		verify_expect verify-recovered '^udp 10.0.40.1:53: identical' \
			"the next edit rebuilt: generation $g1 -> $g2, identical"

	# A table cannot hold more servers than slots: the 252nd of a
	# 251-slot service leaves the old table serving, and both say why.
	apply verify-enospc verify-enospc || return 1
	cat "$(verify_file udp-10.0.40.5-53)" >/tmp/export-nospc.txt
	if [ "$(verify_field /tmp/export-nospc.txt last_error)" = "-28 252 servers, 251 slots" ] &&
		[ "$(verify_field /tmp/export-nospc.txt dests)" = 251 ]; then
		result verify-export-enospc PASS "last_error -28 252 servers, 251 slots; 251 dests serving"
	else
		result verify-export-enospc FAIL "$(grep -E '^(last_error|dests) ' /tmp/export-nospc.txt | tr '\n' '|')"
	fi
	emit_file verify-enospc.export /tmp/export-nospc.txt
	if dmesg | grep -q '10.0.40.5:53: table rebuild failed (-28), previous table kept: 252 servers, 251 slots'; then
		result verify-enospc-log PASS "$(dmesg | grep -m 1 '10.0.40.5:53: table rebuild failed' | sed 's/^\[[^]]*\] //')"
	else
		result verify-enospc-log FAIL "dmesg: $(dmesg | grep 'rebuild failed' | tail -n 1)"
	fi
	verify_run verify-enospc 0 &&
		verify_expect verify-enospc 'udp 10.0.40.5:53: SERVING AN OLD TABLE: the last rebuild failed \(-28: 252 servers, 251 slots\)' \
			"$(grep -m 1 '10.0.40.5' /tmp/verify.out | cut -c1-150)"
	ipvsadm -D -u 10.0.40.5:53

	# The storm: edits (adds, deletes, reweights, drains to 0) in batches
	# while flows are sent; the tables must still be the core's.
	flowgen send --quiet "$DATA/flows/verify-storm-u4.flows" "$DATA/flows/verify-storm-t6.flows" \
		2>/tmp/vstorm-send.err &
	pid=$!
	nb=0
	for b in "$DATA"/cmds/verify-storm-*.ipvsadm; do
		ipvsadm -R <"$b" 2>>/tmp/vstorm.err || nb=$((nb + 1))
	done
	wait "$pid"
	if [ "$nb" -ne 0 ]; then
		result verify-storm FAIL "$nb batches failed: $(head -c 300 /tmp/vstorm.err)"
	fi
	verify_run verify-after-storm 0 --json &&
		verify_expect verify-after-storm '"identical": 4, "old_table": 0, "differs": 0' \
			"$(wc -l <"$DATA/verify/storm.ops") edits: 4 identical, $(grep -o '"drained": [1-9][0-9]*' /tmp/verify.out | tr '\n' ' ')"
	grep -q '"drained": [1-9]' /tmp/verify.out ||
		result verify-after-storm-drained FAIL "no service with drained dests after the storm"
	cp /tmp/verify.out /tmp/verify-storm.json
	emit_file verify-storm.json /tmp/verify-storm.json
	verify_emit_exports verify-storm
	verify_run verify-after-storm-key 1 --hash-key default &&
		verify_expect verify-after-storm-key '4 differ' "--hash-key default after the storm: exit 1, 4 differ"

	# Environment errors: exit 2 and a message that says which.
	if unshare -m sh -c 'umount -l /sys/kernel/debug && ipvs-verify' >/tmp/verify.out 2>/tmp/verify.err; then
		result verify-no-debugfs FAIL "ipvs-verify succeeded without debugfs"
	elif [ $? -eq 2 ]; then
		verify_expect verify-no-debugfs '^ipvs-verify: debugfs not mounted on /sys/kernel/debug' "$(cat /tmp/verify.err)"
	else
		result verify-no-debugfs FAIL "exit status not 2: $(cat /tmp/verify.err)"
	fi
	unshare -U ipvs-verify --table-size 251 --hash-key "$key" >/tmp/verify.out 2>/tmp/verify.err
	if [ $? -eq 2 ]; then
		verify_expect verify-no-cap '^ipvs-verify: no CAP_NET_ADMIN' "$(cat /tmp/verify.err)"
	else
		result verify-no-cap FAIL "exit status not 2 in a user namespace: $(cat /tmp/verify.err)"
	fi
	ipvsadm -C
	if ! rmmod_retry ip_vs_wmh; then
		result verify-no-module FAIL "rmmod ip_vs_wmh: $(cat /tmp/rmmod.err)"
		return 1
	fi
	if [ -e "$VERIFY_EXPORT" ]; then
		result verify-unload FAIL "$VERIFY_EXPORT is still there after rmmod"
	else
		result verify-unload PASS "rmmod removed $VERIFY_EXPORT"
	fi
	verify_run verify-no-module 2 &&
		verify_expect verify-no-module '^ipvs-verify: module not loaded' "$(cat /tmp/verify.err)"
	emit_file verify-session.txt /tmp/verify-session.txt
	verify_load verify-restore || return 1
}

scenario_verify_dropin() {
	if ! command -v ipvs-verify >/dev/null; then
		result verify-dropin FAIL "ipvs-verify is not in the initramfs (mkinitramfs.sh --verify)"
		return 1
	fi
	grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
		mount -t debugfs debugfs /sys/kernel/debug
	verify_load verify-dropin sched_name=mh || return 1
	: >/tmp/verify-session.txt
	apply verify-dropin verify-dropin || return 1
	f=$(verify_file tcp-10.0.41.1-80)
	if [ "$(verify_field "$f" sched_name)" = mh ] && [ "$(verify_field "$f" table_size)" = 65537 ] &&
		[ "$(verify_field "$f" port_hash)" = 1 ]; then
		result verify-dropin-export PASS "sched_name mh, table_size 65537, mh-port as port_hash 1"
	else
		result verify-dropin-export FAIL "$(head -n 12 "$f" | tr '\n' '|')"
	fi
	burst verify-dropin verify-dropin
	verify_run verify-dropin-identical 0 &&
		verify_expect verify-dropin-identical '1 service served by mh: 1 identical' "$(head -n 1 /tmp/verify.out)"
	verify_run verify-dropin-key 1 --hash-key 000102030405060708090a0b0c0d0e0f &&
		verify_expect verify-dropin-key 'DIFFERS in [0-9]+ of 65537 slots' \
			"another key: $(grep -m 1 'DIFFERS' /tmp/verify.out)"
	emit_file verify-dropin-session.txt /tmp/verify-session.txt
	ipvsadm -C
	verify_load verify-dropin-restore || return 1
}

# verify-hrw, verify-chbl (scenario_verify_mod MOD): ip_vs_MOD, loaded by
# ipvsadm -s MOD with its defaults. Two MOD services get their servers one
# by one (for hrw each an incremental rebuild in the kernel; chbl serves
# wmh's tables), then a reweight, a delete and a drain: ipvs-verify
# --module MOD must find both identical after each, and exit 1 with
# another key.
scenario_verify_mod() {
	_m=$1
	ipvsadm -A -u 10.0.43.1:53 -s "$_m" &&
		ipvsadm -A -t '[fd00::43:1]:80' -s "$_m" -b flag-2 || {
		result "verify-$_m" FAIL "ipvsadm -A -s $_m failed"
		return 1
	}
	for i in $(seq 1 40); do
		ipvsadm -a -u 10.0.43.1:53 -r "172.16.43.$i:53" -m -w $((i * 3)) || return 1
	done
	for i in $(seq 1 20); do
		ipvsadm -a -t '[fd00::43:1]:80' -r "[fd00:2::43:$i]:80" -m -w "$i" || return 1
	done
	verify_run "verify-$_m" 0 --module "$_m" &&
		verify_expect "verify-$_m" "2 services served by $_m: 2 identical" \
			"ipvs-verify --module $_m: 2 services identical after 60 adds"
	ipvsadm -e -u 10.0.43.1:53 -r 172.16.43.5:53 -m -w 500 &&
		ipvsadm -d -u 10.0.43.1:53 -r 172.16.43.7:53 &&
		ipvsadm -e -t '[fd00::43:1]:80' -r '[fd00:2::43:3]:80' -m -w 0 || return 1
	verify_run "verify-$_m-edits" 0 --module "$_m" &&
		verify_expect "verify-$_m-edits" "2 services served by $_m: 2 identical" \
			"identical after a reweight, a delete and a drain"
	verify_run "verify-$_m-key" 1 --module "$_m" --hash-key 000102030405060708090a0b0c0d0e0f &&
		result "verify-$_m-key" PASS "exit 1 with another hash key"
	ipvsadm -C
}

verify_scenario() {
	case $1 in
	verify) scenario_verify ;;
	verify-dropin) scenario_verify_dropin ;;
	verify-hrw) scenario_verify_mod hrw ;;
	verify-chbl) scenario_verify_mod chbl ;;
	*) result "$1" FAIL "no such scenario in scenario-verify.sh" ;;
	esac
}
