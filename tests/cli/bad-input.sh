#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bad-input table of Documentation/testing.rst, row by row:
#   bad-input.sh IPVS_SIM FLOWGEN [IPVS_SNAPSHOT]
# Each row runs one program on one bad input or value and requires a
# non-zero exit that is not a signal, the row's message on stderr (with
# file:line where the input has lines), at most 8 KiB of it, and nothing
# left in the output directory (no partial file, no temporary one). Rows
# that need what this machine lacks (setpriv as root, ip_vs absent for
# ipvs-snapshot) are skipped and counted.
set -uo pipefail
sim=${1:?usage: bad-input.sh IPVS_SIM FLOWGEN [IPVS_SNAPSHOT]}
flowgen=${2:?usage: bad-input.sh IPVS_SIM FLOWGEN [IPVS_SNAPSHOT]}
snapshot=${3:-}
sim=$(realpath "$sim") flowgen=$(realpath "$flowgen")
[ -z "$snapshot" ] || snapshot=$(realpath "$snapshot")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cd "$tmp" || exit 2
out=$tmp/out
rows=0 failed=0 skipped=0

# row ID FRAGMENT CMD...: CMD, run in $tmp with stdin from /dev/null, fails
# as the table says; its outputs go to out/, which must stay empty.
row() {
	local id=$1 frag=$2 rc
	shift 2
	rows=$((rows + 1))
	rm -rf "$out" && mkdir "$out"
	"$@" >stdout.txt 2>stderr.txt </dev/null
	rc=$?
	local why=
	if [ "$rc" -eq 0 ]; then
		why="exit 0"
	elif [ "$rc" -ge 128 ]; then
		why="killed by signal $((rc - 128))"
	elif ! grep -qF -- "$frag" stderr.txt; then
		why="no '$frag' in the message"
	elif [ "$(wc -c <stderr.txt)" -gt 8192 ]; then
		why="$(wc -c <stderr.txt) bytes on stderr"
	elif [ -n "$(ls -A "$out")" ]; then
		why="left in the output directory: $(ls -A "$out" | tr '\n' ' ')"
	fi
	if [ -n "$why" ]; then
		failed=$((failed + 1))
		echo "FAIL $id: $why; stderr: $(head -c 300 stderr.txt | tr -d '\0')"
	else
		echo "ok   $id: $(head -c 160 stderr.txt | tr -d '\0' | head -1)"
	fi
}
# warns ID FRAGMENT CMD...: what keepalived itself only warns about and
# ignores: exit 0 with the warning, at most 8 KiB of it.
warns() {
	local id=$1 frag=$2 rc
	shift 2
	rows=$((rows + 1))
	"$@" >stdout.txt 2>stderr.txt </dev/null
	rc=$?
	if [ "$rc" -ne 0 ] || ! grep -qF -- "$frag" stderr.txt || [ "$(wc -c <stderr.txt)" -gt 8192 ]; then
		failed=$((failed + 1))
		echo "FAIL $id: exit $rc, $(wc -c <stderr.txt) bytes: $(head -c 300 stderr.txt)"
	else
		echo "ok   $id: (warning) $(head -c 160 stderr.txt | tr -d '\0' | head -1)"
	fi
}
skip() {
	skipped=$((skipped + 1))
	echo "skip $1: $2"
}
# As a user who may not write to ro/ (root writes anywhere: it becomes nobody).
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null; then
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	else
		as_user=()
	fi
else
	as_user=(env)
fi
# A write beyond 1 KiB fails (EFBIG) instead of killing the process.
small_disk() { bash -c "trap '' XFSZ; ulimit -f 1; exec \"\$@\"" small_disk "$@"; }

# --- Good inputs, and the bad ones made from them.
mkdir dir ro && chmod 555 ro
cat >svc.conf <<'EOF'
-A -t 10.0.0.1:80 -s wmh
-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1
-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m -w 2
EOF
sed 's/wmh/mh/' svc.conf >mh.conf
sed 's/wmh/sh/' svc.conf >sh.conf
printf '0 tcp 10.9.0.1:4000 10.0.0.1:80 30\n1 tcp 10.9.0.2:4000 10.0.0.1:80 30\n' >trace
printf '0.5 -e -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 3\n' >tl
"$sim" generate -n 3000 --vip 10.0.0.1:80 -o big.trace || exit 2
python3 - <<'PY' || exit 2
import struct
big = 10 * 1024 * 1024
def w(name, text, mode='w'):
    open(name, mode).write(text)
w('long.conf', '-A -t 10.0.0.1:80 -s wmh ' + 'x' * big + '\n')
w('long.trace', '0 tcp 10.9.0.1:4000 10.0.0.1:80 ' + '1' * big + '\n')
w('long.tl', '1 director-down ' + '1' * big + '\n')
w('long.marks', '7 tcp 10.0.0.1:' + '1' * big + '\n')
w('long.sysctl', 'net.ipv4.vs.' + 'x' * big + ' = 1\n')
w('long.list', 'TCP  10.0.0.1:80 ' + 'x' * big + '\n')
w('long.ka', 'virtual_server 10.0.0.1 80 {\n persistence_granularity ' + '1' * big + '\n'
  ' real_server 10.1.0.1 80 {\n }\n}\n')
w('longdef.ka', '$X=' + 'x' * big + ' \\\n y\n')
w('long.conn', 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n'
  'TCP ' + 'A' * big + ' 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED     899\n')
w('long.flows', '0 udp 10.1.2.3:1 10.0.0.1:80 ' + '1' * big + '\n0 udp 10.1.2.4:1 10.0.0.1:80\n')
# Captures: a TCP SYN and a UDP datagram over Ethernet.
def ip4(proto, l4):
    return struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                       bytes([10, 1, 2, 3]), bytes([10, 0, 0, 1])) + l4
syn = struct.pack('!HHIIBBHHH', 40000, 80, 1, 0, 0x50, 2, 65535, 0, 0)
udp = struct.pack('!HHHH', 5353, 53, 8, 0)
eth = lambda p: b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + p
def pcap(linktype, pkts):
    d = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for t, p in enumerate(pkts):
        d += struct.pack('<IIII', t, 0, len(p), len(p)) + p
    return d
good = pcap(1, [eth(ip4(6, syn)), eth(ip4(17, udp))])
w('trunc-header.pcap', good[:20], 'wb')
w('trunc-record.pcap', good[:-10], 'wb')
w('wifi.pcap', pcap(105, [b'\0' * 40]), 'wb')
w('garbage.pcap', b'\xd4\xc3\xb2\xa1' + bytes(range(7, 250, 3)) * 3, 'wb')
PY
H='Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData'
printf '%s\nTCP 0A010203 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED     899\nTCP 0A01' "$H" >trunc.conn
printf '%s\nTCP 0A01020G 9C40 0A000001 0050 C0A80105 0050 ESTABLISHED     899\n' "$H" >hex.conn
printf '%s\nTCP 0A010203 19C40 0A000001 0050 C0A80105 0050 ESTABLISHED     899\n' "$H" >port.conn

echo "== ipvs-sim: --config (every command; predict shown)"
P=(predict -f trace)
row config-missing "nope.conf: cannot open" "$sim" "${P[@]}" -c nope.conf
row config-dir "dir: is a directory" "$sim" "${P[@]}" -c dir
: >empty.conf
row config-empty "empty.conf: no services" "$sim" "${P[@]}" -c empty.conf
row config-dev-null "/dev/null: no services" "$sim" replay -T trace -c /dev/null --no-plots
printf -- '-A -t 10.0.0.1:80 -s wmh\n-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1\n-a -t 10.0.0.1:80 -r 192.' >trunc.conf
row config-truncated "trunc.conf:3: bad real server address '192.'" "$sim" "${P[@]}" -c trunc.conf
printf -- '-A -t 10.0.0.1:80 -s wmh\n-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1\0\n' >nul.conf
row config-nul "nul.conf:2: bad weight '1\\x00'" "$sim" "${P[@]}" -c nul.conf
row config-10mb-line "long.conf:1: unexpected argument 'xxxx" "$sim" "${P[@]}" -c long.conf
printf -- '-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 65536\n' >weight.conf
row config-weight "weight.conf:2: weight 65536 out of range 0..65535" "$sim" "${P[@]}" -c weight.conf
printf -- '-A -t 10.0.0.1:65536\n' >port.conf
row config-port "port.conf:1: virtual service port 65536 out of range 0..65535" "$sim" "${P[@]}" -c port.conf
printf -- '-A -t 10.0.0.256:80\n' >addr.conf
row config-address "addr.conf:1: bad virtual service address '10.0.0.256:80'" "$sim" "${P[@]}" -c addr.conf
printf -- '-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m\n' >family.conf
row config-family "family.conf:2: real server [2001:db8::1]:80 is not of the service's address family" \
	"$sim" "${P[@]}" -c family.conf
printf -- '-A -t 10.0.0.1:80\n-a -t 10.0.0.9:80 -r 10.1.0.1:80\n' >unknown.conf
row config-unknown-service "unknown.conf:2: real server for unknown service -t 10.0.0.9:80" \
	"$sim" "${P[@]}" -c unknown.conf
printf -- '-A -t 10.0.0.1:0 -s rr\n' >zero.conf
row config-zero-port "zero.conf:1: zero port in '10.0.0.1:0' is only valid for a persistent service" \
	"$sim" "${P[@]}" -c zero.conf
printf 'virtual_server 10.0.0.1 80 {\n real_server 10.1.0.1 80 {\n }\n}\n' >ka.conf
row config-wrong-format "ka.conf:1: unexpected argument 'virtual_server'" \
	"$sim" "${P[@]}" -c ka.conf --config-format rules
row config-rules-as-keepalived "svc.conf: no services" "$sim" "${P[@]}" -c svc.conf --config-format keepalived
row config-format-value "--config-format: bogus not in" "$sim" "${P[@]}" -c svc.conf --config-format bogus

echo "== ipvs-sim: ipvsadm -Ln listings"
printf 'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\nTCP  10.0.0.1:80 0 0 0 0 0\n' >stats.list
row list-stats "stats.list:1: a listing with 'Conns' columns has no weights" "$sim" "${P[@]}" -c stats.list
printf 'TCP  10.0.0.1:80 rr\n  -> 10.1.0.1:80 Ma' >trunc.list
row list-truncated "trunc.list:2: real server line needs 'ADDR:PORT Forward Weight ...'" \
	"$sim" "${P[@]}" -c trunc.list
printf 'TCP  10.0.0.1:80 rr\n  -> 10.1.0.1:80 Masq 65536 0 0\n' >weight.list
row list-weight "weight.list:2: bad weight '65536'" "$sim" "${P[@]}" -c weight.list
printf 'TCP  10.0.0.1:80 rr\n  -> [2001:db8::1]:80 Masq 1 0 0\n' >family.list
row list-family "family.list:2: real server [2001:db8::1]:80 is not of the service's address family" \
	"$sim" "${P[@]}" -c family.list
row list-10mb-scheduler "long.list:1: bad scheduler name 'xxxx" "$sim" "${P[@]}" -c long.list
printf 'TCP  10.0.0.1:80 rr persistent 4294967295\n  -> 10.1.0.1:80 Masq 1 0 0\n' >timeout.list
row list-timeout "timeout.list:1: bad timeout '4294967295'" "$sim" "${P[@]}" -c timeout.list

echo "== ipvs-sim: keepalived.conf"
printf 'virtual_server 10.0.0.1 80 {\n real_server 10.1.0.1 80 {\n  weight 1\n' >trunc.ka
row ka-truncated "trunc.ka:2: block not closed at the end of the configuration" "$sim" "${P[@]}" -c trunc.ka
printf 'virtual_server 10.0.0.1 80 {\n}\n}\n' >extra.ka
row ka-extra-brace "extra.ka:3: extra '}'" "$sim" "${P[@]}" -c extra.ka
printf 'virtual_server 10.0.0.1 80 {\n real_server 10.1.0.1 80 {\n  weight 70000\n }\n}\n' >weight.ka
row ka-weight "weight.ka:3: weight 70000 above 65535" "$sim" "${P[@]}" -c weight.ka
printf 'virtual_server 10.0.0.1 80 {\n persistence_granularity 255.0.255.0\n real_server 10.1.0.1 80 {\n }\n}\n' >mask.ka
row ka-mask "mask.ka:2: persistence_granularity 255.0.255.0 is not a contiguous mask" \
	"$sim" "${P[@]}" -c mask.ka
warns ka-10mb-value "long.ka:2: keepalived: Invalid IPv4 persistence_granularity specified - 1111" \
	"$sim" config -c long.ka
row ka-10mb-line "longdef.ka:1: multi-line definitions" "$sim" "${P[@]}" -c longdef.ka --config-format keepalived
printf 'include self.ka\n' >self.ka
row ka-include-loop "self.ka:1: include nested more than 32 deep" \
	"$sim" "${P[@]}" -c self.ka --config-format keepalived
printf 'virtual_server fwmark 0 {\n real_server 10.1.0.1 80 {\n }\n}\n' >fwmark0.ka
row ka-fwmark-0 "fwmark0.ka:1: virtual_server fwmark 0: the kernel has no such service" \
	"$sim" "${P[@]}" -c fwmark0.ka

echo "== ipvs-sim: text traces (--flows, --trace)"
C=(predict -c svc.conf)
row trace-missing "nope.trace: cannot open: No such file or directory" "$sim" "${C[@]}" -f nope.trace
row trace-dir "dir: read error: Is a directory" "$sim" "${C[@]}" -f dir
printf '0 tcp 10.9.0.1:4000 10.0.0.1:80 30\n0 tcp 10.9.0.2:4000\n' >trunc.trace
row trace-truncated "trunc.trace:2: expected START PROTO CLIENT VIP [DURATION [PACKETS BYTES]], got 3 fields" \
	"$sim" "${C[@]}" -f trunc.trace -o out/predict
row trace-truncated-replay "trunc.trace:2: expected START" \
	"$sim" compare -c svc.conf -T trunc.trace -t tl --out out/report --no-plots
printf '0 tcp 10.9.0.1:4000 10.0.0.1:80 30\n1 tcp 10.9.0.2:40\0000 10.0.0.1:80\n' >nul.trace
row trace-nul "nul.trace:2: bad client address '10.9.0.2:40\\x000'" "$sim" "${C[@]}" -f nul.trace
row trace-10mb-line "long.trace:1: line longer than 1048576 bytes" "$sim" "${C[@]}" -f long.trace
printf '0 tcp 10.9.0.1:65536 10.0.0.1:80\n' >port.trace
row trace-port "port.trace:1: bad client address '10.9.0.1:65536'" "$sim" "${C[@]}" -f port.trace
printf '0 tcp 10.9.0.300:1 10.0.0.1:80\n' >addr.trace
row trace-address "addr.trace:1: bad client address '10.9.0.300:1'" "$sim" "${C[@]}" -f addr.trace
printf '0 tcp 10.9.0.1:1 [2001:db8::1]:80\n' >family.trace
row trace-family "family.trace:1: client and virtual service are of different address families" \
	"$sim" "${C[@]}" -f family.trace
printf '1796150000500 tcp 10.9.0.1:1 10.0.0.1:80\n' >ms.trace
row trace-epoch-ms "ms.trace:1: start time 1796150000500 is beyond 1e+11 s" "$sim" "${C[@]}" -f ms.trace
printf '1796150000.5 tcp 10.9.0.1:1 10.0.0.1:80\n1796149999 tcp 10.9.0.2:1 10.0.0.1:80\n' >back.trace
row trace-decreasing "back.trace:2: start time 1796149999 is before the previous flow's" \
	"$sim" "${C[@]}" -f back.trace
printf '0 tcp 10.9.0.1:1 10.0.0.1:80 1e12\n' >dur.trace
row trace-duration "dur.trace:1: duration 1e12 is beyond 1e+11 s" "$sim" "${C[@]}" -f dur.trace
printf -- '-1 tcp 10.9.0.1:1 10.0.0.1:80\n' >neg.trace
row trace-negative "neg.trace:1: bad start time '-1'" "$sim" "${C[@]}" -f neg.trace

echo "== ipvs-sim: captures and ip_vs_conn snapshots"
row pcap-truncated-header "trunc-header.pcap: truncated dump file; tried to read 24 file header bytes" \
	"$sim" "${C[@]}" -f trunc-header.pcap
row pcap-truncated-record "trunc-record.pcap: packet 2: truncated dump file" \
	"$sim" "${C[@]}" -f trunc-record.pcap -o out/predict
row pcap-link-type "wifi.pcap: unsupported link type IEEE802_11 (105)" "$sim" "${C[@]}" -f wifi.pcap
row pcap-garbage "garbage.pcap: " "$sim" "${C[@]}" -f garbage.pcap
row conn-truncated "trunc.conn:3: expected 9 fields, got 2" "$sim" "${C[@]}" -f trunc.conn -o out/predict
row conn-hex "hex.conn:2: bad client address '0A01020G'" "$sim" "${C[@]}" -f hex.conn
row conn-port "port.conn:2: bad client port '19C40' (4 hex digits expected)" "$sim" "${C[@]}" -f port.conn
row conn-10mb-line "long.conn:2: bad client address 'AAAA" "$sim" "${C[@]}" -f long.conn

echo "== ipvs-sim: timelines (--timeline)"
T=(predict -c svc.conf -f trace -t)
row timeline-missing "nope.tl: cannot open" "$sim" "${T[@]}" nope.tl
row timeline-dir "dir: is a directory" "$sim" "${T[@]}" dir
printf '30 -d -t 10.0.0.1:80 -r 192.168.1.1:80\n60 -e -t 10.0.0.1:80 -r' >trunc.tl
row timeline-truncated "trunc.tl:2: option -r needs an argument" "$sim" "${T[@]}" trunc.tl
printf '1 director-down 1\0\n' >nul.tl
row timeline-nul "nul.tl:1: bad director number '1\\x00'" "$sim" "${T[@]}" nul.tl
row timeline-10mb-line "long.tl:1: bad director number '1111" "$sim" "${T[@]}" long.tl
printf '1796150000500 director-down 0\n' >ms.tl
row timeline-epoch-ms "ms.tl:1: time 1796150000500 is beyond 1e+11 s" "$sim" "${T[@]}" ms.tl
printf '1 -e -t 10.0.0.1:80 -r 192.168.1.1:80 -w 65536\n' >weight.tl
row timeline-weight "weight.tl:1: weight 65536 out of range 0..65535" "$sim" "${T[@]}" weight.tl
printf '0.5 -d -t 10.0.0.9:80 -r 10.1.0.1:80\n' >unknown.tl
row timeline-unknown-service "unknown.tl:1: no service -t 10.0.0.9:80" \
	"$sim" "${T[@]}" unknown.tl -o out/predict
printf '10 reboot\n' >event.tl
row timeline-unknown-event "event.tl:1: unknown event 'reboot'" "$sim" "${T[@]}" event.tl
printf '10 director-down 1\n' >director.tl
row timeline-director "director.tl:1: no director 1 (the fleet has 1, numbered from 0)" "$sim" replay -c svc.conf -T trace -t director.tl -D 1

echo "== ipvs-sim: --marks, --sysctl-file, --sysctl"
row marks-missing "nope.marks: cannot open" "$sim" "${P[@]}" -c svc.conf --marks nope.marks
row marks-dir "dir: is a directory" "$sim" "${P[@]}" -c svc.conf --marks dir
printf '7 tcp 10.0.0.1:80\n8 tc' >trunc.marks
row marks-truncated "trunc.marks:2: expected MARK PROTO DEST[:PORTS]" \
	"$sim" "${P[@]}" -c svc.conf --marks trunc.marks
printf '7 tcp 10.0.0.300\n' >addr.marks
row marks-address "addr.marks:1: bad address '10.0.0.300'" "$sim" "${P[@]}" -c svc.conf --marks addr.marks
printf '4294967296 tcp 10.0.0.1\n' >mark.marks
row marks-mark "mark.marks:1: bad mark '4294967296'" "$sim" "${P[@]}" -c svc.conf --marks mark.marks
printf '7 tcp 10.0.0.1:90-80\n' >range.marks
row marks-range "range.marks:1: port range '90-80' is reversed" "$sim" "${P[@]}" -c svc.conf --marks range.marks
row marks-10mb-line "long.marks:1: bad port '1111" "$sim" "${P[@]}" -c svc.conf --marks long.marks
S=("${P[@]}" -c svc.conf --sysctl-file)
row sysctl-file-missing "nope.sysctl: cannot open" "$sim" "${S[@]}" nope.sysctl
row sysctl-file-dir "dir: is a directory" "$sim" "${S[@]}" dir
printf 'net.ipv4.vs.sloppy_tcp = 1\nnet.ipv4.vs.conn_reuse' >trunc.sysctl
row sysctl-file-truncated "trunc.sysctl:2: 'net.ipv4.vs.conn_reuse' is not NAME=VALUE" "$sim" "${S[@]}" trunc.sysctl
printf 'net.ipv4.vs.conn_reuse_mode = zz\n' >value.sysctl
row sysctl-file-value "value.sysctl:1: bad value 'zz' for net.ipv4.vs.conn_reuse_mode: not an integer" \
	"$sim" "${S[@]}" value.sysctl
printf 'net.ipv4.vs.drop_entry = 4\n' >range.sysctl
row sysctl-file-range "range.sysctl:1: bad value '4' for net.ipv4.vs.drop_entry: out of range (0..3)" \
	"$sim" "${S[@]}" range.sysctl
row sysctl-file-10mb-line "long.sysctl:1: 'net.ipv4.vs.xxxx" "$sim" "${S[@]}" long.sysctl
row sysctl-not-assignment "--sysctl: 'sloppy_tcp' is not NAME=VALUE" "$sim" "${P[@]}" -c svc.conf --sysctl sloppy_tcp
row sysctl-unknown "--sysctl: 'frobnicate' is not an IPVS sysctl" \
	"$sim" "${P[@]}" -c svc.conf --sysctl frobnicate=1
row sysctl-octal "--sysctl: bad value '01' for net.ipv4.vs.sloppy_tcp" \
	"$sim" "${P[@]}" -c svc.conf --sysctl sloppy_tcp=01
row sysctl-range "--sysctl: bad value '9' for net.ipv4.vs.drop_entry: out of range (0..3)" \
	"$sim" "${P[@]}" -c svc.conf --sysctl drop_entry=9

echo "== ipvs-sim: load-time values"
G=("${P[@]}" -c svc.conf)
row hash-key-0x "--wmh-hash-key: '0x000102030405060708090a0b0c0d0e0f' refused" \
	"$sim" "${G[@]}" --wmh-hash-key 0x000102030405060708090a0b0c0d0e0f
row hash-key-short "--wmh-hash-key: '0001020304050607' is not 32 hex digits" \
	"$sim" "${G[@]}" --wmh-hash-key 0001020304050607
row hash-key-digit "--wmh-hash-key: 'zz0102030405060708090a0b0c0d0e0f' is not 32 hex digits" \
	"$sim" "${G[@]}" --wmh-hash-key zz0102030405060708090a0b0c0d0e0f
row table-size-prime "wmh: table size 65536 refused: it must be a prime in [3, 4194301]" \
	"$sim" "${G[@]}" --wmh-table-size 65536
row table-size-max "wmh: table size 4194303 refused" "$sim" "${G[@]}" --wmh-table-size 4194303
row table-size-negative "Could not convert: --wmh-table-size = -1" "$sim" "${G[@]}" --wmh-table-size -1
row sched-name "--wmh-sched-name: not wmh, mh or sh: foo" "$sim" "${G[@]}" --wmh-sched-name foo
row mh-tab-index "mh: table index 18 refused: CONFIG_IP_VS_MH_TAB_INDEX is 8..17" \
	"$sim" predict -f trace -c mh.conf --mh-tab-index 18
row sh-tab-bits "sh: table bits 21 refused: CONFIG_IP_VS_SH_TAB_BITS is 1..20" \
	"$sim" predict -f trace -c sh.conf --sh-tab-bits 21
row timeout "--udp-timeout: -1 is not a timeout (seconds, >= 0)" "$sim" "${G[@]}" --udp-timeout -1
row directors "--directors: 1..64" "$sim" replay -c svc.conf -T trace -D 0
row window "--window: must be > 0 seconds" "$sim" replay -c svc.conf -T trace --window 0
row scheduler "--schedulers: unknown scheduler 'bogus'" "$sim" compare -c svc.conf -T trace -s wmh,bogus

echo "== ipvs-sim: config, generate"
printf 'virtual_server 10.0.0.1 80 {\n real_server 10.1.0.1 80 {\n  inhibit_on_failure\n }\n}\n' >ok.ka
row checker-unknown "--checker-down: no service has real server 10.9.9.9:80" \
	"$sim" config -c ok.ka --checker-down 10.9.9.9:80
row checker-endpoint "--checker-down: 'bogus' is not ADDR:PORT" "$sim" config -c ok.ka --checker-down bogus
row checker-at "--at: -1 is not a time a timeline takes" \
	"$sim" config -c ok.ka --checker-down 10.1.0.1:80 --at -1
row checker-at-up "--at-up 5 is before --at 10" \
	"$sim" config -c ok.ka --checker-down 10.1.0.1:80 --checker-up 10.1.0.1:80 --at 10 --at-up 5
row generate-vip "--vip: bad address:port '10.0.0.1:65536'" "$sim" generate -o out/t -n 1 --vip 10.0.0.1:65536
row generate-rate "rate must be > 0 flows/s" "$sim" generate -o out/t -n 1 --rate 0
row generate-span "would last beyond 1e+11 s" "$sim" generate -o out/t -n 1000 --rate 1e-9
row generate-duration "--max-duration 1000000000000 is beyond 1e+11 s" \
	"$sim" generate -o out/t -n 1 --max-duration 1e12

echo "== ipvs-sim: outputs (-o, --out)"
row out-missing-dir "out/none/predict: No such file or directory" "$sim" "${G[@]}" -o out/none/predict
row out-is-dir "dir: Is a directory" "$sim" "${G[@]}" -o dir
row out-under-file "trace/predict: Not a directory" "$sim" "${G[@]}" -o trace/predict
row report-under-file "trace: Not a directory" "$sim" replay -c svc.conf -T trace --out trace/report --no-plots
if [ ${#as_user[@]} -gt 0 ]; then
	row out-unwritable "ro/predict: Permission denied" "${as_user[@]}" "$sim" "${G[@]}" -o ro/predict
	row report-unwritable "ro: cannot create a temporary directory: Permission denied" \
		"${as_user[@]}" "$sim" replay -c svc.conf -T trace --out ro/report --no-plots
	row generate-unwritable "ro/t: Permission denied" "${as_user[@]}" "$sim" generate -n 1 -o ro/t
	ls -A ro | grep -q . && { failed=$((failed + 1)); echo "FAIL unwritable: ro/ holds $(ls -A ro)"; }
else
	skip out-unwritable "root without setpriv"
fi
row out-write-error "out/predict: File too large" small_disk "$sim" predict -c svc.conf -f big.trace -o out/predict
row report-write-error "File too large" small_disk "$sim" replay -c svc.conf -T big.trace --out out/report --no-plots
row generate-write-error "out/t: File too large" small_disk "$sim" generate -n 1000 -o out/t

echo "== ipvs-sim: --export (predict shown; compare, replay and whatif read it alike)"
# A good export of svc.conf's service (table_size 3, a fingerprint that is
# not the default key's), and the bad ones made from it.
mkdir -p exp-ok exp-cut exp-nul exp-long exp-two
{
	printf 'ip_vs_wmh table export 1\nsched_name wmh\nnetns 1\nservice tcp 10.0.0.1:80\n'
	printf 'flags 0x0\nport_hash 0\noverflow 0\ntable_size 3\nhash_key_fingerprint 00000000\n'
	printf 'generation 1\nlast_error 0\nfailed_rebuilds 0\ndests 1\n'
	printf 'dest 0 addr=192.168.1.1:80 table_weight=1 weight=1 state=up\nslots 3\n0: 0 0 0\nend\n'
} >exp-ok/1-tcp-10.0.0.1-80
head -c 200 exp-ok/1-tcp-10.0.0.1-80 >exp-cut/1-tcp-10.0.0.1-80
sed 's/^netns 1$/netns 1\x00/' exp-ok/1-tcp-10.0.0.1-80 >exp-nul/1-tcp-10.0.0.1-80
python3 -c 'import sys; t = open(sys.argv[1]).read(); open(sys.argv[2], "w").write(t.replace(":80 ", ":80" + "1" * 10000000 + " "))' \
	exp-ok/1-tcp-10.0.0.1-80 exp-long/1-tcp-10.0.0.1-80
cp exp-ok/1-tcp-10.0.0.1-80 exp-two/1-tcp-10.0.0.1-80
cp exp-ok/1-tcp-10.0.0.1-80 exp-two/2-tcp-10.0.0.1-80
E=(predict -f trace -c svc.conf -o out/p)
row export-missing "nope: No such file or directory" "$sim" "${E[@]}" --export nope
row export-file "svc.conf: Not a directory" "$sim" "${E[@]}" --export svc.conf
row export-truncated "exp-cut/1-tcp-10.0.0.1-80: line 13: ends after 0 of 1 dests" "$sim" "${E[@]}" --export exp-cut
row export-nul "exp-nul/1-tcp-10.0.0.1-80: line 3: a NUL byte" "$sim" "${E[@]}" --export exp-nul
row export-10mb-line "exp-long/1-tcp-10.0.0.1-80: line 14: longer than 4095 characters" \
	"$sim" "${E[@]}" --export exp-long
row export-table-size "exp-ok/1-tcp-10.0.0.1-80: table_size 3, but --wmh-table-size is 65537" \
	"$sim" "${E[@]}" --export exp-ok
row export-key "exp-ok/1-tcp-10.0.0.1-80: hash key fingerprint 00000000, but --wmh-hash-key's is" \
	"$sim" --wmh-table-size 3 "${E[@]}" --export exp-ok
row export-two "exp-two/2-tcp-10.0.0.1-80: a second export of tcp 10.0.0.1:80 (the first is exp-two/1-tcp-10.0.0.1-80)" \
	"$sim" --wmh-table-size 3 "${E[@]}" --export exp-two

echo "== flowgen"
printf '0 udp 10.1.2.3:1 10.0.0.1:80\n0 udp 10.1.2.4:1 10.0.0.1:80\n' >fl
printf '10.1.2.3:1 10.0.0.1:80 192.168.1.1:80\n10.1.2.4:1 10.0.0.1:80 192.168.1.2:80\n' >pr
printf '%s\nUDP 0A010203 0001 0A000001 0050 C0A80101 0050 UDP             120\n' "$H" >cn
K=(check --flows fl --predict pr --conn cn)
row gen-vip "flowgen gen: --vip '10.0.0.1:65536': port out of range" \
	"$flowgen" gen --vip 10.0.0.1:65536 --clients 10.99.0.0/16 -o out/f
row gen-clients "flowgen gen: --clients '10.99.0.0/33'" "$flowgen" gen --vip 10.0.0.1:80 --clients 10.99.0.0/33
row gen-family "flowgen gen: --clients and --vip must be of the same address family" \
	"$flowgen" gen --vip 10.0.0.1:80 --clients fd00::/64
row gen-count "flowgen gen: --count '-1': expected a number up to 16777216" \
	"$flowgen" gen --vip 10.0.0.1:80 --clients 10.99.0.0/16 --count -1
row gen-start "flowgen gen: --start '1796150000500': expected seconds from 0 to 1e11" \
	"$flowgen" gen --vip 10.0.0.1:80 --clients 10.99.0.0/16 --start 1796150000500
row gen-out-dir "dir: Is a directory" "$flowgen" gen --vip 10.0.0.1:80 --clients 10.99.0.0/16 -o dir
if [ ${#as_user[@]} -gt 0 ]; then
	row gen-unwritable "ro/f: Permission denied" \
		"${as_user[@]}" "$flowgen" gen --vip 10.0.0.1:80 --clients 10.99.0.0/16 -o ro/f
fi
row gen-write-error "flowgen gen: out/f: write error: File too large" \
	small_disk "$flowgen" gen --vip 10.0.0.1:80 --clients 10.99.0.0/16 -o out/f
row check-flows-missing "nope: cannot open: No such file or directory" "$flowgen" check --flows nope --predict pr --conn cn
row check-flows-dir "dir: read error: Is a directory" "$flowgen" check --flows dir --predict pr --conn cn
row check-flows-10mb-line "long.flows:1: line longer than 1022 bytes" \
	"$flowgen" check --flows long.flows --predict pr --conn cn
printf '0 udp 10.1.2.3:1 10.0.0.1:80\n0 udp 10.1.2.4:1\0 10.0.0.1:80\n' >nul.fl
row check-flows-nul "nul.fl:2: expected START PROTO CLIENT VIP" "$flowgen" check --flows nul.fl --predict pr --conn cn
printf '0 udp 10.1.2.3:70000 10.0.0.1:80\n' >port.fl
row check-flows-port "port.fl:1: client '10.1.2.3:70000'" "$flowgen" check --flows port.fl --predict pr --conn cn
row check-predict-dir "dir: read error: Is a directory" "$flowgen" check --flows fl --predict dir --conn cn
printf '10.1.2.3:1 10.0.0.1:80 192.168.1.1:80\n10.1.2.4:1 10.0.0.1:80\n' >trunc.pr
row check-predict-truncated "trunc.pr:2: expected CLIENT VIP DEST" "$flowgen" check --flows fl --predict trunc.pr --conn cn
head -1 pr >short.pr
row check-predict-short "short.pr: 1 predictions for the 2 flows of fl" \
	"$flowgen" check --flows fl --predict short.pr --conn cn
row check-conn-dir "dir: read error: Is a directory" "$flowgen" check --flows fl --predict pr --conn dir
row check-conn-bad "hex.conn:2: not an ip_vs_conn line" "$flowgen" check --flows fl --predict pr --conn hex.conn
row check-report-dir "dir: cannot create: Is a directory" "$flowgen" "${K[@]}" --report dir
row check-max-report "flowgen check: --max-report 'x': expected a number" "$flowgen" "${K[@]}" --max-report x
row pick-conn-dir "dir: read error: Is a directory" "$flowgen" pick --conn dir fl
row pick-flows-bad "port.fl:1: client '10.1.2.3:70000'" "$flowgen" pick --conn cn port.fl
row send-flows-bad "port.fl:1: client '10.1.2.3:70000'" "$flowgen" send --quiet port.fl
row connect-flows-bad "nul.fl:2: expected START PROTO CLIENT VIP" "$flowgen" connect --quiet nul.fl
row listen-address "10.0.0.1:65536" "$flowgen" listen 10.0.0.1:65536

echo "== ipvs-snapshot"
if [ -z "$snapshot" ]; then
	skip ipvs-snapshot "not built"
else
	row snapshot-format "ipvs-snapshot: unknown format 'xml' (ipvsadm, json)" "$snapshot" --format xml -o out/s
	row snapshot-option "unrecognized option '--bogus'" "$snapshot" --bogus
	if [ -d /proc/net/ip_vs ] || [ -e /proc/net/ip_vs_conn ]; then
		skip snapshot-no-ip-vs "ip_vs is loaded here"
	else
		row snapshot-no-ip-vs "ipvs-snapshot: generic netlink family IPVS not found: is ip_vs loaded?" \
			"$snapshot" -o out/snapshot
	fi
fi

echo "bad-input: $rows rows, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
