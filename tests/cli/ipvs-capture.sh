#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipvs-capture on captures written here (python3, raw IP), without a kernel:
#   ipvs-capture.sh IPVS_CAPTURE FLOWGEN
# flowgen gen writes flow lists (TCP IPv4, UDP IPv6); every flow becomes a
# SYN or a datagram, mixed with replies, traffic to other addresses and
# ports, TCP packets of connections opened before the capture and ARP. The
# trace must hold exactly the listed flows (their keys, sorted) whether the
# VIPs come from --vip or from --config, written atomically; a cut capture
# fails naming the file and leaves no trace; --interval samples a file;
# as root, a live capture on lo with --duration holds exactly the datagrams
# sent to its VIP; bad options exit 2. Prints each case; exit 1 if any
# failed.
set -uo pipefail

capture=${1:?usage: ipvs-capture.sh IPVS_CAPTURE FLOWGEN}
flowgen=${2:?usage: ipvs-capture.sh IPVS_CAPTURE FLOWGEN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS $1: $2"; }
fail() {
	echo "FAIL $1: $2"
	failed=1
}

# expect NAME STATUS PATTERN ARGS...: exit STATUS and a line of stdout or
# stderr matching the extended regex PATTERN.
expect() {
	local name=$1 want=$2 pattern=$3 status=0
	shift 3
	"$capture" "$@" >"$tmp/out" 2>&1 || status=$?
	if [ "$status" -ne "$want" ]; then
		fail "$name" "exit $status, not $want: $(head -c 400 "$tmp/out")"
	elif ! grep -q -E -- "$pattern" "$tmp/out"; then
		fail "$name" "no '$pattern' in: $(head -c 400 "$tmp/out")"
	else
		pass "$name" "$(grep -m 1 -E -- "$pattern" "$tmp/out")"
	fi
}

"$flowgen" gen --vip 10.0.50.1:80 --clients 10.99.0.0/16 --proto tcp --count 300 --seed 7 \
	>"$tmp/t4.flows" || exit 2
"$flowgen" gen --vip '[fd00::50:1]:53' --clients fd00:99::/64 --proto udp --count 200 --seed 8 \
	>"$tmp/u6.flows" || exit 2

# The capture: each listed flow's first packet and a reply, then noise.
python3 - "$tmp/t4.flows" "$tmp/u6.flows" "$tmp/cap.pcap" <<'PY' || exit 2
import ipaddress, random, struct, sys

def ep(text):
    host, port = text.rsplit(':', 1)
    return ipaddress.ip_address(host.strip('[]')), int(port)

def ip(src, dst, proto, l4):
    if src.version == 4:
        return struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                           src.packed, dst.packed) + l4
    return struct.pack('!IHBB16s16s', 0x60000000, len(l4), proto, 64, src.packed, dst.packed) + l4

def tcp(sp, dp, flags):
    return struct.pack('!HHIIBBHHH', sp, dp, 1, 0, 5 << 4, flags, 65535, 0, 0)

def udp(sp, dp):
    return struct.pack('!HHHH', sp, dp, 12, 0) + b'data'

flows = []
for path in sys.argv[1:3]:
    for line in open(path):
        f = line.split('#')[0].split()
        if f:
            flows.append((f[1], ep(f[2]), ep(f[3])))
random.seed(1)
pkts = []
for proto, (ca, cp), (va, vp) in flows:
    if proto == 'tcp':
        pkts.append(ip(ca, va, 6, tcp(cp, vp, 0x02)))
        pkts.append(ip(va, ca, 6, tcp(vp, cp, 0x12)))
        pkts.append(ip(ca, va, 6, tcp(cp, vp, 0x11)))
    else:
        pkts.append(ip(ca, va, 17, udp(cp, vp)))
        pkts.append(ip(va, ca, 17, udp(vp, cp)))
    # Noise: another address, another port, a connection opened before.
    other = ipaddress.ip_address(int(va) + 1)
    pkts.append(ip(ca, other, 6, tcp(cp, vp, 0x02)) if proto == 'tcp' else ip(ca, other, 17, udp(cp, vp)))
    pkts.append(ip(ca, va, 6, tcp(cp + 1, vp + 1, 0x02)) if proto == 'tcp' else ip(ca, va, 17, udp(cp, vp + 1)))
    if proto == 'tcp':
        pkts.append(ip(ca, va, 6, tcp(cp ^ 1, vp, 0x10)))
with open(sys.argv[3], 'wb') as out:
    out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(pkts):
        out.write(struct.pack('<IIII', 1700000000 + i // 1000, (i % 1000) * 1000, len(p), len(p)))
        out.write(p)
PY

keys() { grep -v '^#' "$1" | awk 'NF { print $2, $3, $4 }' | sort; }
cat "$tmp/t4.flows" "$tmp/u6.flows" >"$tmp/sent.flows"
keys "$tmp/sent.flows" >"$tmp/sent.keys"
sent=$(wc -l <"$tmp/sent.keys")

# recovered NAME ARGS...: the trace of ARGS holds exactly the sent flows.
recovered() {
	local name=$1 status=0
	shift
	rm -f "$tmp/trace"
	"$capture" -r "$tmp/cap.pcap" -o "$tmp/trace" "$@" 2>"$tmp/err" || status=$?
	if [ "$status" -ne 0 ]; then
		fail "$name" "exit $status: $(head -c 400 "$tmp/err")"
		return
	fi
	keys "$tmp/trace" >"$tmp/got.keys"
	if ! cmp -s "$tmp/sent.keys" "$tmp/got.keys"; then
		fail "$name" "$(diff "$tmp/sent.keys" "$tmp/got.keys" | grep -c '^[<>]') keys differ: $(diff "$tmp/sent.keys" "$tmp/got.keys" | head -n 4 | tr '\n' '|')"
	elif ! grep -q -E "^ipvs-capture: $sent flows, [0-9]+ packets, [1-9][0-9]* ignored \\([1-9][0-9]* not to a VIP, 300 TCP without SYN" "$tmp/err"; then
		fail "$name" "summary: $(tail -n 1 "$tmp/err")"
	else
		pass "$name" "$sent flows recovered; $(tail -n 1 "$tmp/err")"
	fi
}
recovered vips --vip tcp:10.0.50.1:80 --vip 'udp:[fd00::50:1]:53'
printf -- '-A -t 10.0.50.1:80 -s wmh\n-a -t 10.0.50.1:80 -r 172.28.0.1:80 -m\n-A -u [fd00::50:1]:53 -s rr\n-A -f 3 -s rr\n' \
	>"$tmp/rules"
recovered config --config "$tmp/rules"
if grep -q 'warning: fwmark service 3 has no address' "$tmp/err"; then
	pass config-fwmark "the fwmark service is named"
else
	fail config-fwmark "$(cat "$tmp/err")"
fi

# Only one VIP: only its flows.
"$capture" -q -r "$tmp/cap.pcap" --vip tcp:10.0.50.1:80 >"$tmp/t4.trace" 2>"$tmp/err"
keys "$tmp/t4.flows" >"$tmp/t4.keys"
if keys "$tmp/t4.trace" | cmp -s - "$tmp/t4.keys" && [ ! -s "$tmp/err" ]; then
	pass one-vip "300 TCP flows to stdout, quiet"
else
	fail one-vip "$(keys "$tmp/t4.trace" | wc -l) flows; stderr: $(head -c 200 "$tmp/err")"
fi
# Without the SYN rule the connections opened before the capture count too.
"$capture" -q -r "$tmp/cap.pcap" --vip tcp:10.0.50.1:80 --mid-flow -o "$tmp/mid.trace"
n=$(keys "$tmp/mid.trace" | wc -l)
if [ "$n" -eq 600 ]; then
	pass mid-flow "--mid-flow: 600 TCP flows"
else
	fail mid-flow "$n flows, not 600"
fi

# A cut capture: exit 1, the file named, no trace left behind.
head -c -7 "$tmp/cap.pcap" >"$tmp/cut.pcap"
rm -f "$tmp/trace"
expect truncated 1 "^ipvs-capture: $tmp/cut.pcap: packet [0-9]+: " -r "$tmp/cut.pcap" -o "$tmp/trace" --vip 10.0.50.1
if [ ! -e "$tmp/trace" ] && [ -z "$(find "$tmp" -name '.trace.tmp*')" ]; then
	pass truncated-atomic "no trace written"
else
	fail truncated-atomic "a trace was left: $(ls -a "$tmp")"
fi
expect not-pcap 1 "^ipvs-capture: $tmp/sent.flows: " -r "$tmp/sent.flows" --vip 10.0.50.1

# --interval: samples of a file in the companion format.
printf 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\nUDP 0A630001 1F40 0A003201 0035 AC1C0001 0035 UDP             299\n' \
	>"$tmp/ip_vs_conn"
expect interval 0 'ip_vs_conn samples in' -r "$tmp/cap.pcap" -o "$tmp/s.trace" --vip 10.0.50.1 \
	--interval 0.05 --conn-file "$tmp/ip_vs_conn"
if [ "$(head -n 1 "$tmp/s.trace.conn")" = "# ipvs-capture ip_vs_conn samples 1" ] &&
	grep -q -E '^sample [0-9.]+ [0-9.]+ 1$' "$tmp/s.trace.conn" &&
	[ "$(grep -c '^sample ' "$tmp/s.trace.conn")" -eq "$(grep -c '^end$' "$tmp/s.trace.conn")" ]; then
	pass interval-format "$(grep -c '^sample ' "$tmp/s.trace.conn") samples of 1 entry"
else
	fail interval-format "$(head -c 300 "$tmp/s.trace.conn")"
fi

# Live on lo (root only): 20 datagrams to the VIP from 20 ports, 5 to
# another port; --duration ends it. Exactly the 20 are flows.
if [ "$(id -u)" -eq 0 ] && ip link show lo >/dev/null 2>&1; then
	"$capture" -i lo --vip udp:127.0.0.1:5999 --duration 3 -o "$tmp/lo.trace" 2>"$tmp/lo.err" &
	pid=$!
	for _ in $(seq 50); do
		grep -q '^ipvs-capture: capturing on lo' "$tmp/lo.err" && break
		sleep 0.1
	done
	python3 - <<'PY'
import socket
for i in range(25):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 31000 + i))
    s.sendto(b'x', ('127.0.0.1', 5999 if i < 20 else 6000))
    s.close()
PY
	status=0
	wait "$pid" || status=$?
	got=$(grep -v '^#' "$tmp/lo.trace" 2>/dev/null | awk '$2 == "udp" && $4 == "127.0.0.1:5999" { print $3 }' | sort -u | wc -l)
	if [ "$status" -eq 0 ] && [ "$got" -eq 20 ] && [ "$(grep -c -v '^#' "$tmp/lo.trace")" -eq 20 ]; then
		pass live-lo "20 flows in 3 s on lo; $(tail -n 1 "$tmp/lo.err")"
	else
		fail live-lo "exit $status, $got of 20 flows: $(head -c 300 "$tmp/lo.err" "$tmp/lo.trace" 2>&1)"
	fi
else
	echo "SKIP live-lo: not root"
fi

# Usage errors: exit 2, the problem named.
expect help 0 '--idle-timeout' --help
expect no-input 2 'give one of -r FILE and -i INTERFACE' --vip 10.0.50.1
expect both-inputs 2 'give one of -r FILE and -i INTERFACE' -r "$tmp/cap.pcap" -i lo --vip 10.0.50.1
expect bad-vip 2 "--vip 'tcp:10.0.50.1:99999'" -r "$tmp/cap.pcap" --vip tcp:10.0.50.1:99999
expect bad-timeout 2 'timeouts must be > 0' -r "$tmp/cap.pcap" --vip 10.0.50.1 --udp-idle-timeout 0
expect interval-stdout 2 '--interval needs --conn-output' -r "$tmp/cap.pcap" --vip 10.0.50.1 --interval 1
expect no-conn-file 2 "$tmp/no-ip_vs_conn: No such file or directory \\(is ip_vs loaded\\?\\)" -r "$tmp/cap.pcap" \
	--vip 10.0.50.1 -o "$tmp/n.trace" --interval 1 --conn-file "$tmp/no-ip_vs_conn"
expect bad-config 2 "$tmp/nope" -r "$tmp/cap.pcap" --config "$tmp/nope"
expect no-iface 2 '^ipvs-capture: no-such-if0: cannot capture: ' -i no-such-if0 --vip 10.0.50.1
# Live VIPs without IPVS (or without the right): exit 2 and why.
if [ ! -e /proc/net/ip_vs ] || [ "$(id -u)" -ne 0 ]; then
	expect no-ipvs 2 'reading the VIPs from the kernel: (no IPVS|no CAP_NET_ADMIN|netlink)' -r "$tmp/cap.pcap"
fi
exit $failed
