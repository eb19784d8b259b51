#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipvs-verify's exit statuses and messages, without a kernel:
#   ipvs-verify.sh IPVS_VERIFY TESTDATA
# TESTDATA holds exports saved from ip_vs_wmh by the VM suite (table_size
# 251, the key below). With --export and --tables-only they must be
# identical to the core's tables (exit 0, the failed rebuilds' old tables
# reported as serving), and differ with another key, another table size,
# --strict, or a slot changed (exit 1, the slot named); a cut file, bad
# options or no key are errors (exit 2). Live, on a machine without IPVS or
# without the module, exit 2 says which. Prints each failed case; exit 1 if
# any failed.
set -uo pipefail

verify=${1:?usage: ipvs-verify.sh IPVS_VERIFY TESTDATA}
data=${2:?usage: ipvs-verify.sh IPVS_VERIFY TESTDATA}
key=f0e1d2c3b4a5968778695a4b3c2d1e0f
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/x" "$tmp/changed" "$tmp/cut"
cp "$data"/*.export "$tmp/x/"
n=$(find "$tmp/x" -type f | wc -l)
failed=0

# expect NAME STATUS PATTERN ARGS...: exit STATUS and a line of stdout or
# stderr matching the extended regex PATTERN.
expect() {
	local name=$1 want=$2 pattern=$3 status=0
	shift 3
	"$verify" "$@" >"$tmp/out" 2>&1 || status=$?
	if [ "$status" -ne "$want" ]; then
		echo "FAIL $name: exit $status, not $want: $(head -c 400 "$tmp/out")"
		failed=1
	elif ! grep -q -E -- "$pattern" "$tmp/out"; then
		echo "FAIL $name: no '$pattern' in: $(head -c 400 "$tmp/out")"
		failed=1
	else
		echo "PASS $name: $(grep -m 1 -E -- "$pattern" "$tmp/out")"
	fi
}

saved=(--export "$tmp/x" --tables-only --table-size 251)
expect saved 0 "$n services served by wmh: [0-9]+ identical, 3 serving an old table, 0 differ" \
	"${saved[@]}" --hash-key "$key"
expect saved-drained 0 'identical: 251 slots, 39 dests, generation 595, 6 drained' \
	"${saved[@]}" --hash-key "$key"
expect saved-enospc 0 'udp 10.0.40.5:53: SERVING AN OLD TABLE: the last rebuild failed \(-28: 252 servers, 251 slots\)' \
	"${saved[@]}" --hash-key "$key"
expect saved-json 0 '"result": "identical"' "${saved[@]}" --hash-key "$key" --json
expect saved-size-default 0 'identical' --export "$tmp/x" --tables-only --hash-key "$key"
expect wrong-key 1 "hash key: the kernel's fingerprint is ad865ea1, the key given has 976fdc49" \
	"${saved[@]}" --hash-key default
expect wrong-key-slots 1 '^  slot [0-9]+: kernel [0-9.:]+, computed [0-9.:]+$' \
	"${saved[@]}" --hash-key default
expect wrong-size 1 "table size: the kernel's table has 251 slots, 257 expected" \
	--export "$tmp/x" --tables-only --table-size 257 --hash-key "$key"
expect strict 1 'SERVING AN OLD TABLE' "${saved[@]}" --hash-key "$key" --strict

# One slot changed: exactly that one differs, both dests named.
sed 's/^16: 1 0 1 1/16: 1 0 7 1/' "$data/6.1-failed.export" >"$tmp/changed/one"
expect changed-slot 1 '^  slot 18: kernel 172.28.1.7:53, computed 172.28.1.2:53$' \
	--export "$tmp/changed" --tables-only --table-size 251 --hash-key "$key"
expect changed-count 1 'DIFFERS in 1 of 251 slots' \
	--export "$tmp/changed" --tables-only --table-size 251 --hash-key "$key"

# A file cut short is an error, not a verdict.
head -n 30 "$data/6.1-udp.export" >"$tmp/cut/cut"
expect cut 2 "cut: line 30: ends after 128 of 251 slots" \
	--export "$tmp/cut" --tables-only --table-size 251 --hash-key "$key"

expect no-key 2 'pass --hash-key' --export "$tmp/x" --tables-only
expect bad-size 2 '--table-size 100: it must be a prime' --table-size 100
expect bad-key 2 "--hash-key: '0x00' is not 32 hex digits" --hash-key 0x00
expect bad-option 2 '^usage: ipvs-verify' --no-such-option
expect help 0 '^usage: ipvs-verify' --help

# Live: this machine's kernel decides which error comes first.
if [ ! -d /sys/module/ip_vs ]; then
	expect live-no-ipvs 2 '^ipvs-verify: no IPVS: generic netlink family IPVS not found' --hash-key "$key"
	expect live-no-ipvs-json 2 '"error": "no-ipvs"' --json --hash-key "$key"
elif [ ! -d /sys/module/ip_vs_wmh ] && [ "$(id -u)" -eq 0 ]; then
	expect live-no-module 2 '^ipvs-verify: module not loaded' --hash-key "$key"
else
	echo "SKIP live: ip_vs is loaded here (the VM suite covers the live cases)"
fi
exit "$failed"
