#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Writes the guest's inputs for the scenarios of guest/scenario.sh:
#   prepare.sh OUTDIR --flowgen BIN [--flows N] [--live-flows N] [--seed N]
#              [--only NAME,...]
# OUTDIR/plan              scenario names, in the order init runs them (only
#                          the --only ones, in that order, if given)
# OUTDIR/cmds/NAME.ipvsadm rules for ipvsadm -R
# OUTDIR/flows/NAME.flows  flow lists (flowgen gen), N flows each (the
#                          live scenario's 21 lists: --live-flows each)
# OUTDIR/keepalived/       keepalived.conf, the keepalived scenario's
#                          expectations, wmh.conf and samples/ (Debian's)
# The same OUTDIR serves both kernels; compare.sh reads the flow lists back.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
VM_USAGE="OUTDIR --flowgen BIN [--flows N] [--live-flows N] [--seed N] [--only NAME,...]"
# shellcheck source=lib.sh
. "$here/lib.sh"

[ $# -ge 1 ] || usage
out=$1
shift
flowgen=
nflows=10000
live_flows=1500
seed=1
only=
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=${2:?}; shift 2 ;;
	--flowgen) flowgen=${2:?}; shift 2 ;;
	--flows) nflows=${2:?}; shift 2 ;;
	--live-flows) live_flows=${2:?}; shift 2 ;;
	--seed) seed=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
[ -x "$flowgen" ] || die "flowgen not found at '$flowgen' (build tools/flowgen, pass --flowgen)"
for n in "$nflows" "$live_flows"; do
	if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 32000 ]; then
		die "--flows and --live-flows must be 1..32000"
	fi
done

# OUTDIR is emptied first: only if this script made it (its stamp is
# there) or it is empty, never a directory of someone else's.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/.prepare-sh" ]; then
	die "$out exists and was not written by prepare.sh: refusing to delete it"
fi
rm -rf "$out"
mkdir -p "$out/cmds" "$out/flows"
echo "written by tests/vm/prepare.sh; deleted and rewritten by the next run" >"$out/.prepare-sh"

# Every list gets its own client ports, so no flow of one list repeats a
# flow of another (the kernel would reuse the entry instead of scheduling).
list_no=0
# flows NAME PROTO VIP [PORT_BASE]: 1000 client addresses x 32 ports,
# $count (default --flows) flows.
flows() {
	local base=${4:-$((1024 + 40 * list_no))} clients=10.99.0.0/16
	list_no=$((list_no + 1))
	case $3 in \[*) clients=fd00:99::/64 ;; esac
	"$flowgen" gen --seed $((seed * 1000 + list_no)) --count "${count:-$nflows}" \
		--clients "$clients" --addrs "${flow_addrs:-1000}" --ports "${flow_ports:-32}" --port-base "$base" \
		--vip "$3" --proto "$2" -o "$out/flows/$1.flows"
}

# dests SVC N ADDRFMT PORT WMIN WMAX SALT: N "-a" lines for service SVC
# ("-u 10.0.1.1:53"), addresses from printf format ADDRFMT of 1..N (IPv6
# formats include the brackets), weights random in WMIN..WMAX with the first
# two dests at WMIN and WMAX.
dests() {
	awk -v svc="$1" -v n="$2" -v fmt="$3" -v port="$4" -v wmin="$5" \
		-v wmax="$6" -v seed="$((seed * 7919 + $7))" 'BEGIN {
		srand(seed)
		for (i = 1; i <= n; i++) {
			if (i == 1) w = wmin
			else if (i == 2) w = wmax
			else w = wmin + int(rand() * (wmax - wmin + 1))
			printf "-a %s -r " fmt ":%d -m -w %d\n", svc, i, port, w
		}
	}'
}

# shuffle SALT: the input lines in a random (seeded) order.
shuffle() {
	awk -v seed="$((seed * 104729 + $1))" 'BEGIN { srand(seed) }
		{ line[NR] = $0 }
		END {
			for (i = NR; i > 1; i--) {
				j = 1 + int(rand() * i)
				t = line[i]; line[i] = line[j]; line[j] = t
			}
			for (i = 1; i <= NR; i++) print line[i]
		}'
}

# --- static: one service per scenario (and network namespace), dests added
# in shuffled order.
static() {
	local name=$1 svc=$2 sched=$3 n=$4 fmt=$5 port=$6 wmin=$7 wmax=$8 proto=udp
	case $svc in -t*) proto=tcp ;; esac
	{
		echo "-A $svc -s $sched"
		dests "$svc" "$n" "$fmt" "$port" "$wmin" "$wmax" "$list_no" | shuffle "$list_no"
	} >"$out/cmds/$name.ipvsadm"
	flows "$name" "$proto" "${svc#-? }"
}
static static-A "-u 10.0.1.1:53" "wmh" 50 "172.16.1.%d" 53 1 65535
static static-B "-t 10.0.1.2:80" "wmh -b flag-2" 200 "172.16.2.%d" 8080 1 65535
static static-C "-u [fd00::1:3]:53" "wmh -b flag-2" 500 "[fd00:2::3:%x]" 53 1 65535
static static-D "-t [fd00::1:4]:443" "wmh" 2 "[fd00:2::4:%x]" 443 1 65535
static static-E "-t 10.0.1.5:80" "mh -b mh-port" 20 "172.16.5.%d" 80 1 100
static static-F "-u [fd00::1:6]:53" "mh -b mh-port" 20 "[fd00:2::6:%x]" 53 1 65535
static static-G "-u 10.0.1.7:53" "sh -b sh-port" 16 "172.16.7.%d" 53 1 10
static static-H "-t [fd00::1:8]:80" "sh -b sh-port" 8 "[fd00:2::8:%x]" 80 1 5
static static-I "-u 10.0.1.9:53" "hrw" 50 "172.16.9.%d" 53 1 65535
static static-J "-t [fd00::1:10]:443" "hrw -b flag-2" 200 "[fd00:2::10:%x]" 443 1 1000
# chbl, whose decisions follow the connection counts: UDP entries live 300 s,
# longer than a burst, so the kernel's counts are the flows sent so far, in
# list order, as the simulator counts them. static-K: 40 heavy clients (250
# flows each, no port hashing) on 8 servers, far past the bound of 0.25;
# static-L: port hashing and -b flag-3's bound (eps_flag3, 0.1) over IPv6;
# static-M: TCP, whose entries the kernel counts in every state.
flow_addrs=40 flow_ports=256 static static-K "-u 10.0.1.11:53" "chbl" 8 "172.16.11.%d" 53 1 4
static static-L "-u [fd00::1:12]:53" "chbl -b flag-2,flag-3" 8 "[fd00:2::12:%x]" 53 1 4
flow_addrs=100 flow_ports=100 static static-M "-t 10.0.1.13:80" "chbl" 6 "172.16.13.%d" 80 1 3

# --- live: four services, seven steps, a burst after each, in one
# namespace. UDP only: its entries last 300 s, so nothing expires while the
# scenario reads the connection table; TCP's SYN_RECV entries last 60 s.
live_u4="-u 10.0.2.1:53"
live_t6="-u [fd00::2:1]:53"
live_mh="-u 10.0.2.3:53"
live_hw="-u 10.0.2.4:53"
{
	echo "-A $live_u4 -s wmh"
	echo "-A $live_t6 -s wmh -b flag-2"
	echo "-A $live_mh -s mh -b mh-port"
	echo "-A $live_hw -s hrw"
	{
		dests "$live_u4" 30 "172.17.1.%d" 53 1 1000 11
		dests "$live_t6" 30 "[fd00:2::21:%x]" 53 1 1000 12
		dests "$live_mh" 30 "172.17.3.%d" 53 1 1000 13
		dests "$live_hw" 30 "172.17.4.%d" 53 1 1000 14
	} | shuffle 2
} >"$out/cmds/live-0.ipvsadm"
# live_step SVC FMT PORT: steps 1..6 of one service, appended to the files.
live_step() {
	local svc=$1 fmt=$2 port=$3 a
	for i in 31 32 33; do
		# shellcheck disable=SC2059 # the format is the parameter
		a=$(printf "$fmt" "$i")
		echo "-a $svc -r $a:$port -m -w $((i * 7))" >>"$out/cmds/live-1.ipvsadm"
	done
	for i in 5 17; do
		# shellcheck disable=SC2059
		a=$(printf "$fmt" "$i")
		echo "-d $svc -r $a:$port" >>"$out/cmds/live-2.ipvsadm"
	done
	for i in 2 9 20 32; do
		# shellcheck disable=SC2059
		a=$(printf "$fmt" "$i")
		echo "-e $svc -r $a:$port -m -w $((i * 31 + 3))" >>"$out/cmds/live-3.ipvsadm"
	done
	for i in 3 11 25; do
		# shellcheck disable=SC2059
		a=$(printf "$fmt" "$i")
		echo "-e $svc -r $a:$port -m -w 0" >>"$out/cmds/live-4.ipvsadm"
		echo "-e $svc -r $a:$port -m -w $((i * 13))" >>"$out/cmds/live-5.ipvsadm"
	done
}
live_step "$live_u4" "172.17.1.%d" 53
live_step "$live_t6" "[fd00:2::21:%x]" 53
live_step "$live_mh" "172.17.3.%d" 53
live_step "$live_hw" "172.17.4.%d" 53
{
	echo "-E $live_u4 -s wmh -b flag-2"
	echo "-E $live_t6 -s wmh"
	echo "-E $live_mh -s mh -b mh-port,mh-fallback"
	echo "-E $live_hw -s hrw -b flag-2"
} >"$out/cmds/live-6.ipvsadm"
for step in 0 1 2 3 4 5 6; do
	count=$live_flows flows "live-$step-u4" udp 10.0.2.1:53
	count=$live_flows flows "live-$step-u6" udp '[fd00::2:1]:53'
	count=$live_flows flows "live-$step-mh" udp 10.0.2.3:53
	count=$live_flows flows "live-$step-hw" udp 10.0.2.4:53
done

# --- order: the same dests added in opposite orders to two services.
{
	echo "-A -u 10.0.3.1:80 -s wmh"
	echo "-A -u 10.0.3.1:81 -s wmh"
	echo "-A -u 10.0.3.2:80 -s mh -b mh-port"
	echo "-A -u 10.0.3.2:81 -s mh -b mh-port"
	dests "-u 10.0.3.1:80" 40 "172.18.0.%d" 80 1 100 21 | tee "$out/order-wmh.tmp"
	sed 's/10\.0\.3\.1:80/10.0.3.1:81/' "$out/order-wmh.tmp" | tac
	dests "-u 10.0.3.2:80" 40 "172.18.0.%d" 80 1 100 22 | tee "$out/order-mh.tmp"
	sed 's/10\.0\.3\.2:80/10.0.3.2:81/' "$out/order-mh.tmp" | tac
} >"$out/cmds/order.ipvsadm"
rm -f "$out"/order-*.tmp
base=$((1024 + 40 * list_no))
flows order-wmh-80 udp 10.0.3.1:80 "$base"
list_no=$((list_no - 1))
flows order-wmh-81 udp 10.0.3.1:81 "$base"
base=$((1024 + 40 * list_no))
flows order-mh-80 udp 10.0.3.2:80 "$base"
list_no=$((list_no - 1))
flows order-mh-81 udp 10.0.3.2:81 "$base"

# --- storm: two editors at once, each a stream of ipvsadm -R batches of
# 100 edits (cmds/storm-pP-NN.ipvsadm), every edit valid within its own
# stream whatever the other does meanwhile. p1 (1000 edits): two thirds to
# three services only it touches (add, delete, reweight, drain, -E flags),
# a third to its half of the dests of two shared wmh services. p2 (1000):
# a third to the other half of those dests and the shared services'
# scheduler (-E among wmh and in-tree ones, flags, persistence), the rest
# to a pool of six services (TCP, UDP, fwmark, IPv4 and IPv6) it adds,
# edits and deletes under every in-tree scheduler, with all three
# forwarding methods and thresholds. Each stream ends settled: its shared
# dests at non-zero weights (a dump then shows what the tables are built
# from), the shared services back to their setup scheduler, the pool
# deleted. Flows are sent to the services all the while.
{
	echo "-A -u 10.0.4.1:53 -s wmh"
	echo "-A -t [fd00::4:1]:80 -s wmh -b flag-2"
	echo "-A -t 10.0.4.3:80 -s mh -b mh-port"
	echo "-A -u 10.0.4.5:53 -s wmh"
	echo "-A -u [fd00::4:5]:53 -s wmh -b flag-2"
} >"$out/cmds/storm-setup.ipvsadm"
awk -v seed="$((seed * 31 + 5))" -v dir="$out/cmds" '
	function emit(p, line,   f) {
		f = sprintf("%s/storm-p%d-%02d.ipvsadm", dir, p, int(nops[p] / 100))
		nops[p]++
		if (f != cur[p]) {
			if (cur[p] != "") close(cur[p])
			cur[p] = f
		}
		print line > f
	}
	function weight() { return (rand() < 0.2) ? 0 : 1 + int(rand() * 65535) }
	# dest_op P SVC KEY SERVER FWD: add the dest if absent, else delete
	# (30%) or edit it.
	function dest_op(p, svc, key, r, fwd,   w) {
		if (!(key in wt)) {
			w = weight()
			emit(p, "-a " svc " -r " r " " fwd " -w " w)
			wt[key] = w; srv[key] = svc " -r " r
		} else if (rand() < 0.3) {
			emit(p, "-d " svc " -r " r)
			delete wt[key]; delete srv[key]
		} else {
			w = weight()
			emit(p, "-e " svc " -r " r " " fwd " -w " w)
			wt[key] = w
		}
	}
	# sched V6: a scheduler with flags and, sometimes, persistence.
	function sched(v6,   s, f) {
		s = scheds[1 + int(rand() * nsched)]
		f = int(rand() * 4)
		if (s == "mh" || s == "sh") {
			split(s "-fallback " s "-port " s "-fallback," s "-port", fl, " ")
		} else {
			split("flag-1 flag-2 flag-1,flag-2", fl, " ")
		}
		s = "-s " s (f ? " -b " fl[f] : "")
		if (rand() < 0.3) {
			s = s " -p " (30 + int(rand() * 600))
			if (rand() < 0.5) s = s (v6 ? " -M 64" : " -M 255.255.255.0")
		}
		return s
	}
	# settle P PREFIX: P sets its drained dests of keys PREFIX* non-zero.
	function settle(p, prefix,   k) {
		for (k in wt)
			if (index(k, prefix) == 1 && wt[k] == 0) {
				emit(p, "-e " srv[k] " -m -w " (1 + int(rand() * 65535)))
				wt[k] = 1
			}
	}
	BEGIN {
		srand(seed)
		nsched = split("wmh mh sh rr wrr wlc lc lblc lblcr dh sed nq fo ovf", scheds, " ")
		# p1 alone
		asvc[1] = "-u 10.0.4.1:53"; afmt[1] = "172.19.1.%d:53"; asch[1] = "wmh"
		asvc[2] = "-t [fd00::4:1]:80"; afmt[2] = "[fd00:2::41:%x]:80"; asch[2] = "wmh"
		asvc[3] = "-t 10.0.4.3:80"; afmt[3] = "172.19.3.%d:80"; asch[3] = "mh"
		split(" -b flag-2| -b flag-1| -b flag-1,flag-2", aflags, "|"); aflags[4] = ""
		# shared: p1 has dests 1..48, p2 101..148
		ssvc[1] = "-u 10.0.4.5:53"; sfmt[1] = "172.19.5.%d:53"; sset[1] = "-s wmh"
		ssvc[2] = "-u [fd00::4:5]:53"; sfmt[2] = "[fd00:2::45:%x]:53"; sset[2] = "-s wmh -b flag-2"
		# p2 pool
		q[1] = "-u 10.0.4.11:53"; qfmt[1] = "172.19.11.%d:53"; q6[1] = 0
		q[2] = "-t 10.0.4.12:80"; qfmt[2] = "172.19.12.%d:80"; q6[2] = 0
		q[3] = "-u [fd00::4:13]:53"; qfmt[3] = "[fd00:2::4d:%x]:53"; q6[3] = 1
		q[4] = "-t [fd00::4:14]:443"; qfmt[4] = "[fd00:2::4e:%x]:443"; q6[4] = 1
		q[5] = "-f 41"; qfmt[5] = "172.19.15.%d:0"; q6[5] = 0
		q[6] = "-f 42 -6"; qfmt[6] = "[fd00:2::50:%x]:0"; q6[6] = 1
		split("-m -g -i", fwds, " ")

		for (op = 0; op < 1000; op++) {
			if (rand() < 1 / 3) {
				s = 1 + int(rand() * 2); d = 1 + int(rand() * 48)
				dest_op(1, ssvc[s], "S" s ":" d, sprintf(sfmt[s], d), "-m")
				continue
			}
			# the edits of the former one-process storm
			s = 1 + int(rand() * 3); d = 1 + int(rand() * 64)
			r = sprintf(afmt[s], d); x = rand()
			if (x < 0.03) {
				f = aflags[1 + int(rand() * 4)]
				if (asch[s] == "mh") f = (f == "") ? "" : " -b mh-port"
				emit(1, "-E " asvc[s] " -s " asch[s] f)
			} else if (!(("A" s ":" d) in wt)) {
				w = int(rand() * 65536)
				emit(1, "-a " asvc[s] " -r " r " -m -w " w); wt["A" s ":" d] = w
			} else if (x < 0.35) {
				emit(1, "-d " asvc[s] " -r " r); delete wt["A" s ":" d]
			} else {
				w = (rand() < 0.2) ? 0 : 1 + int(rand() * 65535)
				emit(1, "-e " asvc[s] " -r " r " -m -w " w); wt["A" s ":" d] = w
			}
		}
		settle(1, "S")

		for (op = 0; op < 1000; op++) {
			if (rand() < 1 / 3) {
				s = 1 + int(rand() * 2)
				if (rand() < 0.08) {
					emit(2, "-E " ssvc[s] " " sched(s == 2))
					continue
				}
				d = 101 + int(rand() * 48)
				dest_op(2, ssvc[s], "T" s ":" d, sprintf(sfmt[s], d), "-m")
				continue
			}
			s = 1 + int(rand() * 6)
			if (!(s in up)) {
				emit(2, "-A " q[s] " " sched(q6[s])); up[s] = 1
				continue
			}
			x = rand()
			if (x < 0.04) {
				emit(2, "-D " q[s]); delete up[s]
				for (d = 1; d <= 32; d++) { delete wt["Q" s ":" d]; delete srv["Q" s ":" d] }
			} else if (x < 0.12) {
				emit(2, "-E " q[s] " " sched(q6[s]))
			} else {
				d = 1 + int(rand() * 32)
				f = fwds[1 + int(rand() * 3)]
				if (rand() < 0.2) {
					t = 10 + int(rand() * 1000)
					f = f " -x " t " -y " int(rand() * (t + 1))
				}
				dest_op(2, q[s], "Q" s ":" d, sprintf(qfmt[s], d), f)
			}
		}
		for (s = 1; s <= 2; s++) emit(2, "-E " ssvc[s] " " sset[s])
		settle(2, "T")
		for (s = 1; s <= 6; s++) if (s in up) emit(2, "-D " q[s])
	}'
# Sent in loops while the editors run, UDP only: the guest has UDP entries
# live 3 s then, so each pass is scheduled anew and none is left to expire
# while a later burst reads the connection table (TCP's SYN_RECV entries
# live 60 s). To p1's two wmh services, the shared ones and the pool's UDP
# ones.
count=3000 flows storm-u4 udp 10.0.4.1:53
count=3000 flows storm-s4 udp 10.0.4.5:53
count=3000 flows storm-s6 udp '[fd00::4:5]:53'
count=3000 flows storm-q1 udp 10.0.4.11:53
count=3000 flows storm-q3 udp '[fd00::4:13]:53'
# After the storm: new flows to p1's three services, predicted from the
# setup plus every p1 edit of them as a timeline (storm-after), and to the
# shared services, predicted from the rules dumped (storm-shared). Then,
# with ip_vs_wmh unloaded and loaded again, two new wmh services
# (storm-reload).
count=2000 flows storm-after-u4 udp 10.0.4.1:53
count=2000 flows storm-after-t6 tcp '[fd00::4:1]:80'
count=2000 flows storm-after-mh tcp 10.0.4.3:80
count=1500 flows storm-shared-u4 udp 10.0.4.5:53
count=1500 flows storm-shared-u6 udp '[fd00::4:5]:53'
{
	echo "-A -u 10.0.4.21:53 -s wmh -b flag-2"
	echo "-A -t [fd00::4:22]:80 -s wmh"
	{
		dests "-u 10.0.4.21:53" 30 "172.19.21.%d" 53 1 65535 51
		dests "-t [fd00::4:22]:80" 30 "[fd00:2::4:22%02x]" 80 1 65535 52
	} | shuffle 5
} >"$out/cmds/storm-reload.ipvsadm"
count=1500 flows storm-reload-u4 udp 10.0.4.21:53
count=1500 flows storm-reload-t6 tcp '[fd00::4:22]:80'

# --- params: ip_vs_wmh reloaded with table_size, hash_key and port_hash.
{
	echo "-A -u 10.0.5.1:53 -s wmh"
	echo "-A -t [fd00::5:1]:80 -s wmh"
	{
		dests "-u 10.0.5.1:53" 12 "172.20.1.%d" 53 1 65535 31
		dests "-t [fd00::5:1]:80" 12 "[fd00:2::51:%x]" 80 1 65535 32
	} | shuffle 3
} >"$out/cmds/params.ipvsadm"
flows params-u4 udp 10.0.5.1:53
flows params-t6 tcp '[fd00::5:1]:80'

# --- dropin: ipvsadm -s mh / -s sh served by ip_vs_wmh through the shipped
# modprobe files (guest/scenario.sh scenario_dropin).
count=4000 static dropin-mh "-t 10.0.10.1:80" "mh -b mh-port" 20 "172.16.10.%d" 80 1 100
count=4000 static dropin-sh "-u 10.0.10.2:53" "sh -b sh-port" 16 "172.16.11.%d" 53 1 10

# --- keepalived: a keepalived.conf for Debian's keepalived, served by the
# mh drop-in. A UDP virtual_server_group of two VIPs and a TCP service, both
# lb_algo mh with mh-port, NAT, weights; every real server has a TCP_CHECK
# against its own flowgen listener on 127.0.0.1. The guest stops the
# listeners named in "stop": UDP server 2 is removed from both VIPs, TCP
# server 3 (inhibit_on_failure) goes to weight 0; down.timeline is that edit
# for the simulator (down.servers the two real servers), up.expect/down.expect
# what ipvsadm -Sn must show.
kd=$out/keepalived
mkdir -p "$kd/samples"
awk -v kd="$kd" 'BEGIN {
	conf = kd "/keepalived.conf"
	printf "# ipvs-sched VM test: written by tests/vm/prepare.sh\n" > conf
	printf "global_defs {\n\trouter_id ipvs_sched_vmtest\n}\n\n" > conf
	printf "virtual_server_group KA_UDP {\n\t10.0.11.1 53\n\t10.0.11.2 53\n}\n\n" > conf
	vs[1] = "group KA_UDP"; proto[1] = "UDP"; rs[1] = "172.22.1."; port[1] = 53
	vips[1] = "-u 10.0.11.1:53 -u 10.0.11.2:53"; lport[1] = 21000
	vs[2] = "10.0.11.3 80"; proto[2] = "TCP"; rs[2] = "172.22.2."; port[2] = 80
	vips[2] = "-t 10.0.11.3:80"; lport[2] = 22000
	for (v = 1; v <= 2; v++) {
		printf "virtual_server %s {\n\tdelay_loop 1\n\tlb_algo mh\n\tmh-port\n", vs[v] > conf
		printf "\tlb_kind NAT\n\tprotocol %s\n\n", proto[v] > conf
		n = split(vips[v], f, " ")
		for (i = 1; i <= 8; i++) {
			w = (v * 7 + i * i * 3) % 10 + 1
			inhibit = (v == 2 && i == 3)
			printf "\treal_server %s%d %d {\n\t\tweight %d\n", rs[v], i, port[v], w > conf
			if (inhibit)
				printf "\t\tinhibit_on_failure\n" > conf
			printf "\t\tTCP_CHECK {\n\t\t\tconnect_ip 127.0.0.1\n" > conf
			printf "\t\t\tconnect_port %d\n\t\t\tconnect_timeout 1\n", lport[v] + i > conf
			printf "\t\t\tretry 0\n\t\t}\n\t}\n" > conf
			print "127.0.0.1:" lport[v] + i > (kd "/listeners")
			stop = (v == 1 && i == 2) || inhibit
			if (stop) {
				print "127.0.0.1:" lport[v] + i > (kd "/stop")
				printf "%s%d:%d\n", rs[v], i, port[v] > (kd "/down.servers")
			}
			for (k = 1; k < n; k += 2) {
				a = sprintf("-a %s %s -r %s%d:%d -m -w", f[k], f[k + 1], rs[v], i, port[v])
				print a, w > (kd "/up.expect")
				if (!stop)
					print a, w > (kd "/down.expect")
				else if (inhibit) {
					print a, 0 > (kd "/down.expect")
					printf "0 -e %s %s -r %s%d:%d -m -w 0\n", f[k], f[k + 1], rs[v], i, port[v] > (kd "/down.timeline")
				} else
					printf "0 -d %s %s -r %s%d:%d\n", f[k], f[k + 1], rs[v], i, port[v] > (kd "/down.timeline")
			}
		}
		printf "}\n\n" > conf
	}
}'
# keepalived has no wmh in its list of schedulers.
cat >"$kd/wmh.conf" <<'EOF'
# ipvs-sched VM test: keepalived must reject lb_algo wmh
virtual_server 10.0.11.5 80 {
	lb_algo wmh
	lb_kind NAT
	protocol TCP
	real_server 172.22.3.1 80 {
		weight 1
	}
}
EOF
for step in up down; do
	count=2000 flows "keepalived-$step-u1" udp 10.0.11.1:53
	count=2000 flows "keepalived-$step-u2" udp 10.0.11.2:53
	count=2000 flows "keepalived-$step-t" tcp 10.0.11.3:80
done
# Debian's sample configurations, run by real keepalived in the guest and
# compared with the simulator's reading of the same files.
samples=/usr/share/doc/keepalived/samples
for f in virtual_server_group fwmark inhibit sample; do
	if [ -f "$samples/keepalived.conf.$f" ]; then
		cp "$samples/keepalived.conf.$f" "$kd/samples/"
	fi
done

# --- persist: persistent UDP services under wmh, mh, sh, rr and wlc (issue
# 9), each as VIP:53 with -p 300 -M 255.255.255.0 and as a port-0 service
# (VIP:0 -p 300, flows to four ports). One scenario per value of the
# expire_quiescent_template sysctl (persist-eqt0, persist-eqt1), same inputs:
# persist-0.ipvsadm (rules), then persist-1 (-e -w of dest 2), persist-2
# (dest 3 drained to weight 0), persist-3 (-d of dest 4), a burst after
# each (persist-bN.flows, 100 clients in ten /24s, new client ports in every
# burst; two flows per client and service in burst 0, one in the others).
# compare.sh predicts each scenario in one run: the rules, the steps as a
# timeline at 5, 15, 25 s and the bursts at 0, 10, 20, 30 s.
persist_scheds="wmh mh sh rr wlc"
{
	i=0
	for s in $persist_scheds; do
		i=$((i + 1))
		echo "-A -u 10.0.12.$i:53 -s $s -p 300 -M 255.255.255.0"
		echo "-A -u 10.0.12.$((10 + i)):0 -s $s -p 300"
		for d in 1 2 3 4 5; do
			echo "-a -u 10.0.12.$i:53 -r 172.23.$i.$d:53 -m -w $(((d * 3 + i) % 5 + 1))"
			echo "-a -u 10.0.12.$((10 + i)):0 -r 172.23.$((10 + i)).$d -m -w $(((d * 7 + i) % 5 + 1))"
		done
	done
} >"$out/cmds/persist-0.ipvsadm"
: >"$out/cmds/persist-1.ipvsadm"
: >"$out/cmds/persist-2.ipvsadm"
: >"$out/cmds/persist-3.ipvsadm"
for i in 1 2 3 4 5; do
	for svc in "10.0.12.$i:53 172.23.$i.%d:53" "10.0.12.$((10 + i)):0 172.23.$((10 + i)).%d"; do
		vip=${svc% *}
		# shellcheck disable=SC2059 # the format is the parameter
		{
			echo "-e -u $vip -r $(printf "${svc#* }" 2) -m -w 9" >>"$out/cmds/persist-1.ipvsadm"
			echo "-e -u $vip -r $(printf "${svc#* }" 3) -m -w 0" >>"$out/cmds/persist-2.ipvsadm"
			echo "-d -u $vip -r $(printf "${svc#* }" 4)" >>"$out/cmds/persist-3.ipvsadm"
		}
	done
done
for b in 0 1 2 3; do
	awk -v b="$b" -v seed="$((seed * 37 + b))" 'BEGIN {
		srand(seed)
		split("53 123 5000 8080", vport, " ")
		per = (b == 0) ? 2 : 1
		n = 0
		for (i = 1; i <= 5; i++)
			for (c = 0; c < 100; c++)
				for (j = 0; j < per; j++) {
					# client c: /24 number 1 + c % 10, host 10 + c
					a = sprintf("10.99.%d.%d", 1 + c % 10, 10 + c)
					port = 20000 + 1000 * b + 10 * i + j
					line[++n] = sprintf("0 udp %s:%d 10.0.12.%d:53", a, port, i)
					line[++n] = sprintf("0 udp %s:%d 10.0.12.%d:%d", a, port + 5, 10 + i,
						vport[1 + (c + j + b) % 4])
				}
		for (k = n; k > 1; k--) {
			r = 1 + int(rand() * k)
			t = line[k]; line[k] = line[r]; line[r] = t
		}
		for (k = 1; k <= n; k++) print line[k]
	}' >"$out/flows/persist-b$b.flows"
done

# --- nodest: the expire_nodest_conn sysctl (0 in nodest-0, 1 in nodest-1).
# A UDP wmh and a TCP rr service of 8 dests; the same flow list three times:
# first, after -d of dest 2 (nodest-d), after dest 5 is drained to weight 0
# (nodest-w). With 0 the deleted dest's entries stay (their packets are
# dropped); with 1 they expire and are scheduled afresh. A UDP packet is no
# "new connection" to ip_vs_in_hook (is_new_conn: TCP SYN, SCTP INIT only),
# so entries on a weight-0 dest stay with either value; TCP SYNs on them are
# rescheduled with 1.
{
	echo "-A -u 10.0.13.1:53 -s wmh"
	echo "-A -t 10.0.13.2:80 -s rr"
	dests "-u 10.0.13.1:53" 8 "172.24.1.%d" 53 1 100 41
	dests "-t 10.0.13.2:80" 8 "172.24.2.%d" 80 1 100 42
} >"$out/cmds/nodest-0.ipvsadm"
printf '%s\n' "-d -u 10.0.13.1:53 -r 172.24.1.2:53" "-d -t 10.0.13.2:80 -r 172.24.2.2:80" \
	>"$out/cmds/nodest-d.ipvsadm"
printf '%s\n' "-e -u 10.0.13.1:53 -r 172.24.1.5:53 -m -w 0" "-e -t 10.0.13.2:80 -r 172.24.2.5:80 -m -w 0" \
	>"$out/cmds/nodest-w.ipvsadm"
count=800 flows nodest-u udp 10.0.13.1:53
count=400 flows nodest-t tcp 10.0.13.2:80

# --- thresh: connection thresholds (-x, -y) and their hysteresis under rr,
# four UDP services of 3 dests (weight 1), the first dest of each with
# thresholds; UDP entries live 10 s (thresh-set.ipvsadm). Phases p1..p4:
# p1 and p2 close together, p3 once p1's entries expired (the guest polls
# the entry count), p4 once p2's expired. Counts of the threshold dest A
# (rr gives it every third flow while it is not overloaded):
#   .1 -x 20 -y 10: p1 10, p2 +10 -> 20 overloaded; p1 gone: 10, not below
#      10, stays overloaded, p3 skips it; p2 gone: 0, cleared; p4 uses it.
#   .2 -x 20 -y 10: p1 11, p2 +9 -> 20; p1 gone: 9 < 10 cleared; p3 +11 ->
#      20 again; p2 gone: 11, still overloaded, p4 skips it.
#   .3 -x 20 (no -y: cleared below 20 - 20/4 = 15): p1 5, p2 +15 -> 20; p1
#      gone: 15, stays; p3 skips it; p2 gone: 0, cleared.
#   .4 -x 21 (cleared below 21 - 21/4 = 16): p1 6, p2 +15 -> 21; p1 gone:
#      15 < 16 cleared; p3 +6 -> 21 again; p2 gone: 6, cleared.
echo "--set 0 0 10" >"$out/cmds/thresh-set.ipvsadm"
{
	for s in "1 -x 20 -y 10" "2 -x 20 -y 10" "3 -x 20" "4 -x 21"; do
		i=${s%% *}
		echo "-A -u 10.0.14.$i:53 -s rr"
		echo "-a -u 10.0.14.$i:53 -r 172.25.$i.1:53 -m -w 1 ${s#* }"
		echo "-a -u 10.0.14.$i:53 -r 172.25.$i.2:53 -m -w 1"
		echo "-a -u 10.0.14.$i:53 -r 172.25.$i.3:53 -m -w 1"
	done
} >"$out/cmds/thresh.ipvsadm"
# thresh_flows PHASE N1 N2 N3 N4: N flows to each service, client ports of
# their own.
thresh_flows() {
	awk -v p="$1" -v n="$2 $3 $4 $5" 'BEGIN {
		split(n, cnt, " ")
		for (i = 1; i <= 4; i++)
			for (k = 0; k < cnt[i]; k++)
				printf "0 udp 10.99.%d.%d:%d 10.0.14.%d:53\n", 20 + i, 1 + k % 50,
					30000 + 1000 * p + k, i
	}' >"$out/flows/thresh-p$1.flows"
}
thresh_flows 1 30 33 15 18
thresh_flows 2 36 33 51 51
thresh_flows 3 30 36 30 30
thresh_flows 4 30 30 30 30

# --- snapshot-roundtrip: services that use every field ipvsadm can set,
# configured with ipvsadm -R; the guest dumps them with ipvs-snapshot and
# ipvsadm -Sn, restores the snapshot into an empty table and dumps again.
# Persistence with -M (dotted and prefix), the default and other timeouts,
# fwmark services IPv4 and IPv6, a port-0 service, SCTP, one-packet (-o),
# scheduler flags under their mh, sh and generic names, all forwarding
# methods in both families, an IPv6 tunnel dest of an IPv4 service, GUE
# and GRE tunnels, thresholds, weights 0 and 65535, dest ports other than
# the service's. Addresses are in inet_ntop's form (compare-roundtrip.sh
# compares text). Real servers are listed oldest first.
cat >"$out/cmds/snapshot-roundtrip.ipvsadm" <<'RULES'
-A -t 10.0.42.1:80 -s wmh -b flag-2 -p 600 -M 255.255.255.0
-a -t 10.0.42.1:80 -r 172.26.1.1:8080 -m -w 5 -x 100 -y 50
-a -t 10.0.42.1:80 -r 172.26.1.2:80 -g -w 3
-a -t 10.0.42.1:80 -r 172.26.1.3:80 -i -w 0
-a -t 10.0.42.1:80 -r 172.26.1.4:8081 -m -w 65535 -x 7
-A -u [fd00::42:2]:53 -s mh -b mh-fallback,mh-port -p 120 -M 64
-a -u [fd00::42:2]:53 -r [fd00:2::42:1]:5353 -m -w 7 -x 9 -y 3
-a -u [fd00::42:2]:53 -r [fd00:2::42:2]:53 -i -w 65535
-a -u [fd00::42:2]:53 -r [fd00:2::42:3]:53 -g -w 1
-A -f 51 -6 -s sh -b sh-fallback,sh-port -p 300 -M 48
-a -f 51 -6 -r [fd00:2::51:1]:0 -g -w 2
-a -f 51 -6 -r [fd00:2::51:2]:0 -i -w 1 -x 20 -y 4
-a -f 51 -6 -r [fd00:2::51:3]:0 -m -w 9
-A -f 52 -s wmh -b flag-1,flag-2 -p 300
-a -f 52 -r 172.26.2.1:0 -m -w 1
-a -f 52 -r 172.26.2.2:0 -g -w 2
-A -f 53 -6 -s wmh
-a -f 53 -6 -r [fd00:2::53:1]:0 -m -w 4
-A -t 10.0.42.5:443 -s rr -b flag-3
-a -t 10.0.42.5:443 -r [fd00:2::42:5]:443 -i -w 2
-a -t 10.0.42.5:443 -r 172.26.5.1:443 -i -w 2 --tun-type gue --tun-port 6080 --tun-csum
-a -t 10.0.42.5:443 -r 172.26.5.2:443 -i -w 3 --tun-type gre --tun-nocsum
-a -t 10.0.42.5:443 -r 172.26.5.3:443 -i -w 4 --tun-type gue --tun-port 6081 --tun-remcsum
-A -u 10.0.42.6:0 -s wlc -p 30 -M 255.255.0.0
-a -u 10.0.42.6:0 -r 172.26.6.1:0 -m -w 4
-a -u 10.0.42.6:0 -r 172.26.6.2:0 -g -w 5
-A -u 10.0.42.7:53 -s sed -o
-a -u 10.0.42.7:53 -r 172.26.7.1:53 -m -w 1
-A --sctp-service 10.0.42.8:38412 -s wmh -b flag-1
-a --sctp-service 10.0.42.8:38412 -r 172.26.8.2:38412 -m -w 1
-a --sctp-service 10.0.42.8:38412 -r 172.26.8.1:38412 -g -w 2
-A -t [fd00::42:9]:8443 -s wmh -b flag-2 -p 1
-a -t [fd00::42:9]:8443 -r [fd00:2::59:1]:443 -m -w 1 -x 65535 -y 65535
-a -t [fd00::42:9]:8443 -r [fd00:2::59:2]:8443 -g -w 0
RULES

plan=(static-A static-B static-C static-D static-E static-F static-G static-H static-I static-J
	static-K static-L static-M
	live order-wmh order-mh storm failrebuild failrebuild-hrw failrebuild-chbl persist-eqt0 persist-eqt1 nodest-0 nodest-1
	thresh params snapshot-roundtrip dropin-mh dropin-sh ka-samples keepalived)
. "$here/prepare-net.sh" # fwmark, reuse-N: their inputs, appended to plan
. "$here/prepare-verify.sh" # verify, verify-dropin: their inputs, appended to plan
. "$here/prepare-whatif.sh" # whatif: its inputs, appended to plan
. "$here/prepare-ramp.sh" # ramp: its inputs, appended to plan
. "$here/prepare-outgrow.sh" # outgrow: its inputs, appended to plan
. "$here/prepare-capture.sh" # capture: its inputs, appended to plan
if [ -n "$only" ]; then
	for name in ${only//,/ }; do
		[[ " ${plan[*]} " == *" $name "* ]] || die "--only: no scenario '$name'"
	done
	read -r -a plan <<<"${only//,/ }"
fi
printf '%s\n' "${plan[@]}" >"$out/plan"
echo "$out: $(find "$out/flows" -name '*.flows' | wc -l) flow lists of $nflows flows," \
	"$(cat "$out"/cmds/*.ipvsadm | wc -l) ipvsadm lines"
