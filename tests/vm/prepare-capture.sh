# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # out, nflows, flowgen, seed: prepare.sh's
#
# The guest's inputs for the capture scenario (guest/scenario-capture.sh),
# sourced by prepare.sh before it writes the plan, with its $out, $nflows,
# $flowgen, $seed and flows():
#   cmds/capture.ipvsadm    a TCP IPv4 wmh and a UDP IPv6 rr service with
#                           direct-routing (-g) servers behind dummy0, so
#                           that the packets leave dummy0 still addressed
#                           to the VIP (NAT would rewrite them first)
#   flows/capture-t4        the TCP flows to 10.0.50.1:80
#   flows/capture-u6        the UDP flows to [fd00::50:1]:53
#   flows/capture-noise-*   flows ipvs-capture must leave out: UDP to an
#                           address that is no VIP, TCP to a VIP's other port
#   flows/capture-lo        50 whole TCP connections (flowgen connect) to a
#                           flowgen listener on lo, one client port each

{
	echo "-A -t 10.0.50.1:80 -s wmh"
	for i in 1 2 3 4; do echo "-a -t 10.0.50.1:80 -r 172.28.50.$i:80 -g -w $i"; done
	echo "-A -u [fd00::50:1]:53 -s rr"
	for i in 1 2 3; do echo "-a -u [fd00::50:1]:53 -r [fd00:2::50:$i]:53 -g -w 1"; done
} >"$out/cmds/capture.ipvsadm"
capture_count=$((nflows < 2000 ? nflows : 2000))
count=$capture_count flows capture-t4 tcp 10.0.50.1:80
count=$capture_count flows capture-u6 udp '[fd00::50:1]:53'
count=$((capture_count / 4 + 1)) flows capture-noise-u4 udp 10.0.50.9:53
count=$((capture_count / 4 + 1)) flows capture-noise-t4 tcp 10.0.50.1:81
# Local addresses (10.99.0.0/16 is a local route on lo): server and clients.
"$flowgen" gen --seed "$((seed * 1000 + 500))" --count 50 --clients 10.99.1.0/24 --addrs 50 \
	--ports 1 --port-base 20000 --vip 10.99.255.1:7080 --proto tcp -o "$out/flows/capture-lo.flows"

plan+=(capture)
