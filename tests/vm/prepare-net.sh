# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # out, nflows, seed, flowgen, plan: the sourcing script's
#
# The guest's inputs for the scenarios of guest/scenario-net.sh, sourced by
# prepare.sh (it uses prepare.sh's $out, $flowgen, $seed, flows() and
# dests(), and appends its scenario names to prepare.sh's plan):
#
# fwmark: OUTDIR/net/fwmark.marks, the one mark map (MARK PROTO DEST[:PORTS],
#   as `ipvs-sim predict --marks` reads it), OUTDIR/net/fwmark.nft, the nft
#   ruleset derived from it (the guest loads it, the host predicts from the
#   mark map), cmds/fwmark.ipvsadm and flows/fwmark-*.flows.
# reuse-0..reuse-3: conn_reuse_mode 0/1/2/3 (a bit map to the kernel: 3
#   acts as 2), whole TCP connections
#   to real servers in a second namespace, a NAT and a DR service (rr, 4
#   dests each), three rounds of connections that reuse client ports:
#   cmds/reuse.ipvsadm, flows/reuse-N-rR.flows (START and DURATION of each
#   connection, the trace the host predicts) and net/reuse.rounds.

netdir=$out/net
mkdir -p "$netdir"

# --- fwmark. Rules are evaluated as iptables -j MARK / nft `meta mark set`
# would: every matching rule sets the mark, so the last match wins. Marks 7
# (wmh) and 10 (mh mh-port), each tcp 80 and 443 and udp 53 of one VIP, and
# mark 8 (IPv6, mh mh-port) have fwmark services; 10.0.30.1:80 also has a TCP service, which the fwmark service
# shadows (IPVS looks up fwmark services first). Mark 9 is a persistent
# service for a whole /24; 10.0.31.7:80 gets mark 12 (the later rule),
# which has no fwmark service, so it goes to that VIP's TCP service; its
# port 443 keeps mark 9.
cat >"$netdir/fwmark.marks" <<'EOF'
# MARK PROTO DEST[:PORTS] (tests/vm/prepare-net.sh; the last match sets the mark)
7 tcp 10.0.30.1:80,443
7 udp 10.0.30.1:53
10 tcp 10.0.30.2:80,443
10 udp 10.0.30.2:53
8 tcp [fd00::30:1]:80,443
8 udp [fd00::30:1]:5300-5399
9 any 10.0.31.0/24
12 tcp 10.0.31.7:80
EOF

# marks_to_nft MARKS: the nft ruleset of a mark map. The chain is of type
# route at the output hook, priority mangle (-150): the clients are local
# processes, and IPVS sees their packets at NF_INET_LOCAL_OUT with priority
# NF_IP_PRI_NAT_DST + 1 and + 2 (-99, -98; ip_vs_ops4/ip_vs_ops6 in
# net/netfilter/ipvs/ip_vs_core.c, NF_IP6_PRI_NAT_DST likewise), so the
# mark is set first; a route chain re-routes a packet whose mark changed.
marks_to_nft() {
	awk '
	function fail(msg) { print "prepare-net.sh: " FILENAME ":" FNR ": " msg > "/dev/stderr"; exit 1 }
	BEGIN {
		print "# derived from fwmark.marks by tests/vm/prepare-net.sh"
		print "table inet vmtest_mark {"
		print "\tchain out {"
		print "\t\ttype route hook output priority mangle; policy accept;"
	}
	{ sub(/#.*/, "") }
	NF == 0 { next }
	{
		if (NF != 3 || $1 !~ /^([0-9]+|0[xX][0-9a-fA-F]+)$/)
			fail("expected MARK PROTO DEST[:PORTS]")
		mark = $1; proto = $2; dest = $3; ports = ""
		if (dest ~ /^\[/) {
			fam = "ip6"
			end = index(dest, "]")
			if (!end) fail("bad IPv6 destination " dest)
			addr = substr(dest, 2, end - 2)
			rest = substr(dest, end + 1)
			if (rest != "") {
				if (rest !~ /^:/) fail("bad destination " dest)
				ports = substr(rest, 2)
			}
		} else if (gsub(/:/, ":", dest) > 1) {
			fam = "ip6"	# a bare IPv6 address or prefix: no ports
			addr = dest
		} else {
			fam = "ip"
			n = split(dest, p, ":")
			if (n > 2) fail("bad destination " dest)
			addr = p[1]
			if (n == 2) ports = p[2]
		}
		if (ports != "" && ports !~ /^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/)
			fail("bad ports " ports)
		gsub(/,/, ", ", ports)
		rule = fam " daddr " addr
		if (proto == "tcp" || proto == "udp" || proto == "sctp") {
			if (ports != "") rule = rule " " proto " dport { " ports " }"
			else rule = rule " meta l4proto " proto
		} else if (proto == "any") {
			if (ports != "") rule = rule " meta l4proto { tcp, udp, sctp } th dport { " ports " }"
		} else {
			fail("protocol must be tcp, udp, sctp or any")
		}
		print "\t\t" rule " meta mark set " mark
	}
	END { print "\t}"; print "}" }' "$1"
}
marks_to_nft "$netdir/fwmark.marks" >"$netdir/fwmark.nft"

{
	echo "-A -f 7 -s wmh"
	echo "-A -t 10.0.30.1:80 -s wmh"
	echo "-A -f 10 -s mh -b mh-port"
	echo "-A -f 8 -6 -s mh -b mh-port"
	echo "-A -f 9 -s wmh -p 300"
	echo "-A -t 10.0.31.7:80 -s mh -b mh-port"
	{
		# Port 0: the entry keeps the packet's port (ip_vs_schedule).
		dests "-f 7" 12 "172.16.30.%d" 0 1 100 40 | sed 's/:0 -m/ -m/'
		dests "-t 10.0.30.1:80" 4 "172.16.32.%d" 80 1 100 41
		dests "-f 10" 8 "172.16.34.%d" 0 1 100 45 | sed 's/:0 -m/ -m/'
		dests "-f 8 -6" 10 "[fd00:2::30:%x]" 8080 1 100 42
		dests "-f 9" 8 "172.16.31.%d" 0 1 100 43 | sed 's/:0 -m/ -m/'
		dests "-t 10.0.31.7:80" 5 "172.16.33.%d" 80 1 100 44
	} | shuffle 40
} >"$out/cmds/fwmark.ipvsadm"
fw_count=$(((nflows + 9) / 10))
count=$fw_count flows fwmark-7-80 tcp 10.0.30.1:80
count=$fw_count flows fwmark-7-443 tcp 10.0.30.1:443
count=$fw_count flows fwmark-7-53 udp 10.0.30.1:53
count=$fw_count flows fwmark-10-80 tcp 10.0.30.2:80
count=$fw_count flows fwmark-10-443 tcp 10.0.30.2:443
count=$fw_count flows fwmark-10-53 udp 10.0.30.2:53
count=$fw_count flows fwmark-8-80 tcp '[fd00::30:1]:80'
count=$fw_count flows fwmark-8-443 tcp '[fd00::30:1]:443'
count=$fw_count flows fwmark-8-5353 udp '[fd00::30:1]:5353'
count=$fw_count flows fwmark-12 tcp 10.0.31.7:80
# The persistent service: the same 50 clients (one seed) to four VIP:ports.
for l in 9-80:tcp:10.0.31.1:80 9-443:tcp:10.0.31.2:443 9-53:udp:10.0.31.1:53 \
	9-7-443:tcp:10.0.31.7:443; do
	IFS=: read -r n proto vip <<<"$l"
	"$flowgen" gen --seed $((seed * 1000 + 900)) --count "$fw_count" \
		--clients 10.99.0.0/16 --addrs 50 --ports 32 --port-base 60000 \
		--vip "$vip" --proto "$proto" -o "$out/flows/fwmark-$n.flows"
done
for f in "$out"/flows/fwmark-*.flows; do
	basename "$f" .flows
done >"$netdir/fwmark.lists"

# --- reuse-N: conn_reuse_mode N. Two rr services of 4 real servers in the
# servers' namespace (guest/scenario-net.sh): NAT (-m), its clients local
# processes of the director, and DR (-g), its clients in a third namespace
# that the real servers answer directly (so that the director sees only the
# client's half: a DR reply through the director would match the entry in
# ip_vs_conn_out_get, which compares a non-NAT entry's VIP, and the entry
# would leave the input-only state table).
# Three rounds of whole connections (flowgen connect); every round has each
# 5-tuple once, so the entries read after a round give every connection's
# dest. Round 1: 6 client ports; round 2: 5 of them again and a new one;
# round 3: 3 of the first, round 2's new one and 2 new ones. 6 is not a
# multiple of 4, so rr gives a reused port another dest whenever the kernel
# schedules it afresh. In the trace, round R's connection I starts at
# 10 R + 0.5 I and lasts 0.2 s: the order is the guest's, and every reuse
# comes long before the TIME_WAIT / FIN_WAIT entries expire (120 s).
{
	echo "-A -t 10.0.32.1:80 -s rr"
	echo "-A -t 10.0.33.1:80 -s rr"
	for i in 1 2 3 4; do
		echo "-a -t 10.0.32.1:80 -r 10.201.0.$i:8080 -m -w 1"
		echo "-a -t 10.0.33.1:80 -r 10.201.0.$i:80 -g -w 1"
	done
} >"$out/cmds/reuse.ipvsadm"
rounds="1:a1,a2,a3,a4,a5,a6 2:a1,a2,a3,a4,a5,b1 3:a1,a2,a3,b1,c1,c2"
: >"$netdir/reuse.rounds"
for mode in 0 1 2 3; do
	for r in $rounds; do
		round=${r%%:*}
		list=reuse-$mode-r$round
		echo "$mode $round $list" >>"$netdir/reuse.rounds"
		i=0
		ports=${r#*:}
		for p in ${ports//,/ }; do
			# a1 -> client 10.99.32.(10 + mode).1 port 41001, etc.
			case $p in a*) base=41000 ;; b*) base=42000 ;; *) base=43000 ;; esac
			port=$((base + ${p#?}))
			# NAT clients are local to the director (10.99.32.x),
			# DR clients in a namespace of their own (10.98.33.x).
			for svc in 99.32 98.33; do
				printf '%d.%d tcp 10.%s.%d:%d 10.0.%d.1:80 0.2\n' \
					$((10 * round + i / 2)) $((i % 2 * 5)) "$svc" \
					$((10 + mode)) "$port" "${svc#*.}"
				i=$((i + 1))
			done
		done >"$out/flows/$list.flows"
	done
done

plan+=(fwmark reuse-0 reuse-1 reuse-2 reuse-3)
