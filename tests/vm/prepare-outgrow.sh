# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # out, seed, live_flows, plan: prepare.sh's
#
# The guest's inputs for the outgrown-table scenario (guest/scenario-outgrow.sh,
# host side compare-outgrow.sh), sourced by prepare.sh before it writes the
# plan, with its $out, $seed, flows(), dests() and shuffle():
#   outgrow/module.params  ip_vs_wmh's parameters: table_size=13, a key of its own
#   cmds/outgrow-setup     wmh UDP 10.0.43.1:53 with 20 servers (7 more than
#                          the 13 slots: the table of the first 13 added
#                          serves) and wmh TCP 10.0.43.2:80 -b flag-2 with 9
#                          (it fits), each added in shuffled order
#   cmds/outgrow-drain     two servers of each service drained to weight 0
#                          (the UDP service's rebuild fails again: its old
#                          table goes on serving, the drained ones down) and
#                          one UDP server reweighted (no slot changes)
#   flows/outgrow-{u,t}{1,2}  each burst's flows, new clients in the second

mkdir -p "$out/outgrow"
echo "table_size=13 hash_key=0f1e2d3c4b5a69788796a5b4c3d2e1f0" >"$out/outgrow/module.params"
{
	echo "-A -u 10.0.43.1:53 -s wmh"
	echo "-A -t 10.0.43.2:80 -s wmh -b flag-2"
	{
		dests "-u 10.0.43.1:53" 20 "172.30.43.%d" 53 1 40 61
		dests "-t 10.0.43.2:80" 9 "172.30.44.%d" 8080 1 40 62
	} | shuffle 63
} >"$out/cmds/outgrow-setup.ipvsadm"
# Drain two dests of each service that the first burst gave flows: the
# UDP ones among the first 13 added (those with a slot), the TCP ones any.
awk '$1 == "-a" && $2 == "-u" { u[++nu] = $5 } $1 == "-a" && $2 == "-t" { t[++nt] = $5 }
	END {
		print "-e -u 10.0.43.1:53 -r " u[2] " -m -w 0"
		print "-e -u 10.0.43.1:53 -r " u[5] " -m -w 0"
		print "-e -u 10.0.43.1:53 -r " u[7] " -m -w 99"
		print "-e -t 10.0.43.2:80 -r " t[1] " -m -w 0"
		print "-e -t 10.0.43.2:80 -r " t[4] " -m -w 0"
	}' "$out/cmds/outgrow-setup.ipvsadm" >"$out/cmds/outgrow-drain.ipvsadm"
count=$live_flows flows outgrow-u1 udp 10.0.43.1:53
count=$live_flows flows outgrow-t1 tcp 10.0.43.2:80
count=$live_flows flows outgrow-u2 udp 10.0.43.1:53 61000
count=$live_flows flows outgrow-t2 tcp 10.0.43.2:80 61000

plan+=(outgrow)
