# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # out, seed, plan, live_flows, netdir: prepare.sh's
#
# The guest's inputs for the whatif scenario (guest/scenario-whatif.sh,
# host checks in compare-whatif.sh), sourced by prepare.sh before it writes
# the plan (after prepare-net.sh), with its $out, $seed, $live_flows,
# flows(), dests() and marks_to_nft():
#   cmds/whatif-setup.ipvsadm   a TCP wmh service of 8 real servers and a TCP
#                               rr service of 4, NAT, the servers in a
#                               namespace of their own (10.210.0.1-8:8080);
#                               a UDP wmh service of 6 dests behind dummy0;
#                               a fwmark wmh service (-f 50) of 5 dests
#                               without a port behind dummy0
#   net/whatif.marks, .nft      mark 50 for udp 10.0.50.4:53
#   cmds/whatif-change.ipvsadm  the change: a wmh server deleted, another
#                               reweighted, an rr server deleted, a UDP dest
#                               deleted
#   cmds/whatif-control.ipvsadm another change (other servers deleted): the
#                               host's prediction from it must disagree
#   flows/whatif-udp.flows, flows/whatif-fwm.flows
#                               datagrams to the UDP and the fwmark service,
#                               sent before the change and again after it
#   flows/whatif-wmh.flows, flows/whatif-rr.flows
#                               the connections held open across the change
#                               (min(--live-flows, 300) and half as many; each
#                               client address and port once)
#   flows/whatif-new.flows      new connections to the wmh service after the
#                               change: whatif-wmh's clients, port + 20000

{
	echo "-A -t 10.0.50.1:80 -s wmh"
	echo "-A -t 10.0.50.2:80 -s rr"
	echo "-A -u 10.0.50.3:53 -s wmh"
	echo "-A -f 50 -s wmh"
	{
		for i in 1 2 3 4 5; do echo "-a -f 50 -r 172.28.51.$i -m -w $((i * 10))"; done
		dests "-t 10.0.50.1:80" 8 "10.210.0.%d" 8080 10 100 61
		dests "-t 10.0.50.2:80" 4 "10.210.0.%d" 8080 1 1 62
		dests "-u 10.0.50.3:53" 6 "172.28.50.%d" 53 1 50 63
	} | shuffle 61
} >"$out/cmds/whatif-setup.ipvsadm"
{
	echo "-d -t 10.0.50.1:80 -r 10.210.0.3:8080"
	echo "-e -t 10.0.50.1:80 -r 10.210.0.5:8080 -m -w 77"
	echo "-d -t 10.0.50.2:80 -r 10.210.0.2:8080"
	echo "-d -u 10.0.50.3:53 -r 172.28.50.2:53"
	echo "-d -f 50 -r 172.28.51.4"
} >"$out/cmds/whatif-change.ipvsadm"
{
	echo "-d -t 10.0.50.1:80 -r 10.210.0.4:8080"
	echo "-d -t 10.0.50.2:80 -r 10.210.0.3:8080"
	echo "-d -u 10.0.50.3:53 -r 172.28.50.3:53"
	echo "-d -f 50 -r 172.28.51.5"
} >"$out/cmds/whatif-control.ipvsadm"
whatif_n=$((live_flows < 300 ? live_flows : 300))
count=$whatif_n flows whatif-wmh tcp 10.0.50.1:80
count=$((whatif_n / 2)) flows whatif-rr tcp 10.0.50.2:80
count=$((whatif_n / 2)) flows whatif-udp udp 10.0.50.3:53
count=$((whatif_n / 2)) flows whatif-fwm udp 10.0.50.4:53
echo "50 udp 10.0.50.4:53" >"$netdir/whatif.marks"
marks_to_nft "$netdir/whatif.marks" >"$netdir/whatif.nft"
for l in whatif-wmh whatif-rr whatif-udp whatif-fwm; do
	awk '!seen[$3]++' "$out/flows/$l.flows" >"$out/flows/$l.tmp" &&
		mv "$out/flows/$l.tmp" "$out/flows/$l.flows"
done
awk '/^#/ { next } { split($3, a, ":"); $3 = a[1] ":" (a[2] + 20000); print }' \
	"$out/flows/whatif-wmh.flows" >"$out/flows/whatif-new.flows"

plan+=(whatif)
