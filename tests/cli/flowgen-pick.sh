#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# flowgen pick against a connection table that changes between reads, as
# /proc/net/ip_vs_conn does on a loaded guest: a FIFO serves the first read
# with both flows' entries and every later read with one (the other
# expired). For a list of three flows (the third never has an entry, as a
# dropped flow has not) pick must settle, print both entries (the expired
# one as first read) and exit 0; for a list of the two it must stop after
# the first read, which found both; a table that keeps gaining entries
# must not settle.
#   flowgen-pick.sh FLOWGEN
set -uo pipefail
flowgen=$(realpath "${1:?usage: flowgen-pick.sh FLOWGEN}")
tmp=$(mktemp -d)
writer=
trap '[ -z "$writer" ] || kill "$writer" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
H='Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData'
A='UDP 0A010203 0001 0A000001 0050 C0A80105 0050 UDP             299'
B='UDP 0A010204 0001 0A000001 0050 C0A80106 0050 UDP             299'
printf '0 udp 10.1.2.3:1 10.0.0.1:80\n0 udp 10.1.2.4:1 10.0.0.1:80\n' >fl
{
	cat fl
	printf '0 udp 10.1.2.5:1 10.0.0.1:80\n'
} >fl3
mkfifo conn
fail=0

# serve N CMD: N opens of the FIFO, each answered by CMD's output. The
# pause lets the reader see end-of-file and close before the next writer
# opens (otherwise two answers run together into one read).
serve() {
	local n=$1 i
	shift
	for ((i = 1; i <= n; i++)); do
		"$@" "$i" >conn
		sleep 0.3
	done
}
shrinking() { if [ "$1" = 1 ]; then printf '%s\n%s\n%s\n' "$H" "$A" "$B"; else printf '%s\n%s\n' "$H" "$A"; fi; }
growing() {
	printf '%s\n' "$H"
	printf 'UDP 0A0100%02X 0001 0A000001 0050 C0A80105 0050 UDP             299\n' $(seq 1 "$1")
}

serve 10 shrinking &
writer=$!
if ! timeout 20 "$flowgen" pick --conn conn fl3 >out 2>err; then
	echo "FAIL: pick did not settle on a table whose entry expired: $(cat err)"
	fail=1
elif ! grep -qx "$A" out || ! grep -qx "$B" out; then
	echo "FAIL: pick lost an entry: $(cat out)"
	fail=1
else
	echo "PASS: an entry that expired between reads is kept, pick settles"
fi
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null

# One answer only: a second read would wait for a writer until the timeout.
serve 1 shrinking &
writer=$!
if ! timeout 5 "$flowgen" pick --conn conn fl >out 2>err; then
	echo "FAIL: pick read again after a read that found every flow: $(cat err)"
	fail=1
elif ! grep -qx "$A" out || ! grep -qx "$B" out; then
	echo "FAIL: pick lost an entry: $(cat out)"
	fail=1
else
	echo "PASS: a read that finds every flow is the last"
fi
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null

seq 1 20 | awk '{ printf "0 udp 10.1.0.%d:1 10.0.0.1:80\n", $1 }' >many.fl
serve 20 growing &
writer=$!
if timeout 20 "$flowgen" pick --conn conn many.fl >out 2>err; then
	echo "FAIL: pick settled while every read added an entry"
	fail=1
elif ! grep -q "did not settle" err; then
	echo "FAIL: no 'did not settle' message: $(cat err)"
	fail=1
else
	echo "PASS: a table that keeps growing does not settle"
fi
exit $fail
