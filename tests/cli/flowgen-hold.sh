#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# flowgen listen --hold and flowgen connect --hold on the loopback: every
# connection is held until the probe; those to a listener still running
# are answered (ok), those to a listener killed meanwhile are not (closed
# or reset), one to a port nobody listens on fails at connect (failed,
# exit 1). The counts come from the lists, not from a run.
#   flowgen-hold.sh FLOWGEN
set -uo pipefail
flowgen=$(realpath "${1:?usage: flowgen-hold.sh FLOWGEN}")
tmp=$(mktemp -d)
pids=()
# shellcheck disable=SC2154 # p is the loop variable of the trap
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fail() { echo "flowgen-hold.sh: $*" >&2; exit 1; }

# Three ports near a random base: A and B get listeners, C none.
base=$((20000 + RANDOM % 20000))
pa=$base pb=$((base + 1)) pc=$((base + 2))
"$flowgen" listen --hold "127.0.0.1:$pa" 2>la.err &
pids+=($!)
"$flowgen" listen --hold "127.0.0.1:$pb" 2>lb.err &
pb_pid=$!
pids+=("$pb_pid")
sleep 0.3
na=7 nb=4
{
	for i in $(seq 1 $na); do echo "0 tcp 127.0.0.2:$((41000 + i)) 127.0.0.1:$pa"; done
	for i in $(seq 1 $nb); do echo "0 tcp 127.0.0.3:$((41000 + i)) 127.0.0.1:$pb"; done
	echo "0 tcp 127.0.0.4:41001 127.0.0.1:$pc"
} >flows
mkfifo ctl
"$flowgen" connect --hold --timeout 2 flows <ctl >out 2>err &
cpid=$!
pids+=("$cpid")
exec 4>ctl
for _ in $(seq 1 100); do grep -q '^held ' out && break; sleep 0.1; done
grep -qx "held $((na + nb)) of $((na + nb + 1))" out || fail "held line: $(cat out err)"
kill "$pb_pid"
wait "$pb_pid" 2>/dev/null
echo probe >&4
for _ in $(seq 1 100); do grep -q '^probed$' out && break; sleep 0.1; done
grep -q '^probed$' out || fail "no probed line: $(cat out err)"
exec 4>&-
status=0
wait "$cpid" || status=$?
[ "$status" = 1 ] || fail "exit $status, not 1 (one connection failed)"
ok=$(grep -c " 127.0.0.1:$pa ok\$" out)
[ "$ok" = $na ] || fail "$ok of $na answered by the running listener: $(cat out)"
gone=$(grep -cE " 127.0.0.1:$pb (closed|reset)\$" out)
[ "$gone" = $nb ] || fail "$gone of $nb seen closed after the listener was killed: $(cat out)"
grep -qx "127.0.0.4:41001 127.0.0.1:$pc failed" out || fail "no failed line: $(cat out)"
[ "$(grep -c ' ok$' out)" = $na ] || fail "ok lines: $(cat out)"
echo "flowgen-hold.sh: ok"
