# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # run, payload, cmp, sim: the sourcing script's
#
# Host-side checks of the table export scenarios (guest/scenario-verify.sh,
# inputs from prepare-verify.sh), sourced by compare.sh before its tally:
# it uses compare.sh's $run, $payload, $cmp, $sim and result(). The guest
# judges the live tables itself (its RESULT lines); the host holds what it
# saved to this build's ipvs-verify, as a director's operator would a copy:
#
# verify-offline: the export files the guest copied after the storm
#   (verify-storm.exports.tar), checked with `ipvs-verify --export DIR
#   --tables-only` and the scenario's table size and key: exit 0 with the
#   guest's verdict for every service (verify-storm.json); with another key,
#   exit 1 (verify-offline-key).
# The ipvs-verify used is $IPVS_VERIFY, or the one built beside $sim.

verify_offline() {
	local tar=$run/files/verify-storm.exports.tar bin=${IPVS_VERIFY:-} dir key size
	[ -f "$tar" ] || return 0
	if [ -z "$bin" ] && [ -n "$sim" ]; then
		bin=$(dirname "$sim")/../tools/ipvs-verify/ipvs-verify
	fi
	if [ ! -x "$bin" ]; then
		result verify-offline SKIP "no ipvs-verify at '$bin' (set IPVS_VERIFY=PATH)"
		return 0
	fi
	dir=$cmp/verify-storm.exports
	rm -rf "$dir" && mkdir -p "$dir"
	if ! tar -C "$dir" -xf "$tar"; then
		result verify-offline FAIL "$tar does not unpack"
		return 0
	fi
	key=$(cat "$payload/verify/hash_key")
	size=$(sed -n 's/.*table_size=\([0-9]*\).*/\1/p' "$payload/verify/module.params")
	local status=0
	"$bin" --export "$dir" --tables-only --table-size "$size" --hash-key "$key" --json \
		>"$cmp/verify-offline.json" 2>"$cmp/verify-offline.err" || status=$?
	# "service ... status" of every service, in the guest's and in ours.
	local pick='s/.*"service": "\([^"]*\)",.*"status": "\([^"]*\)".*/\1 \2/p'
	if [ "$status" -ne 0 ]; then
		result verify-offline FAIL "exit $status: $(head -c 300 "$cmp/verify-offline.err" "$cmp/verify-offline.json")"
	elif ! diff <(sed -n "$pick" "$run/files/verify-storm.json" | sort) \
		<(sed -n "$pick" "$cmp/verify-offline.json" | sort) >"$cmp/verify-offline.diff"; then
		result verify-offline FAIL "the host's verdicts differ from the guest's: $cmp/verify-offline.diff"
	else
		result verify-offline PASS "$(find "$dir" -type f | wc -l) saved exports identical to this build's core, as in the guest"
	fi
	status=0
	"$bin" --export "$dir" --tables-only --table-size "$size" --hash-key default \
		>"$cmp/verify-offline-key.out" 2>&1 || status=$?
	if [ "$status" -eq 1 ] && grep -q 'DIFFERS' "$cmp/verify-offline-key.out"; then
		result verify-offline-key PASS "another key: exit 1, $(grep -c DIFFERS "$cmp/verify-offline-key.out") services differ"
	else
		result verify-offline-key FAIL "another key: exit $status: $(head -c 300 "$cmp/verify-offline-key.out")"
	fi
}
verify_offline
