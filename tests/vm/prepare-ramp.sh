# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # out: the sourcing script's
#
# The guest's inputs for the ramp scenario (guest/scenario-ramp.sh), sourced
# by prepare.sh before it writes the plan:
#   cmds/ramp-setup.ipvsadm  two UDP services: wmh (8 servers at weight 100)
#                            and mh -b mh-port (6 at weight 10); UDP entries
#                            live 10 s (--set: long enough for a burst's
#                            send and pick on a loaded host, 2 s was not),
#                            expired before each step's probe flows go out
#                            again, so that they are scheduled afresh (the
#                            guest's expire_soon cuts them to 1 s first)
#   ramp/setup.rules         the same services without --set, the target of
#                            the ramp back (its SIGINT case)
#   ramp/target.rules        the target: wmh server 1 at 300, 2 at 50, 8
#                            removed, 9 added at 100; mh server 1 at 20, 7
#                            added at 10
#   flows/ramp-u1, ramp-u2   1000 probe flows per service (fixed, whatever
#                            --flows: the sampling error of each step's
#                            measured moves is sqrt(p(1-p)/1000), under 0.7%
#                            at the 5% bound), sent again after every step
mkdir -p "$out/ramp"
ramp_service() { # the two services
	echo "-A -u 10.0.50.1:53 -s wmh"
	echo "-A -u 10.0.50.2:53 -s mh -b mh-port"
}
{
	ramp_service
	for i in 1 2 3 4 5 6 7 8; do echo "-a -u 10.0.50.1:53 -r 172.28.50.$i:53 -m -w 100"; done
	for i in 1 2 3 4 5 6; do echo "-a -u 10.0.50.2:53 -r 172.28.51.$i:53 -m -w 10"; done
} >"$out/ramp/setup.rules"
{
	echo "--set 0 0 10"
	cat "$out/ramp/setup.rules"
} >"$out/cmds/ramp-setup.ipvsadm"
{
	ramp_service
	echo "-a -u 10.0.50.1:53 -r 172.28.50.1:53 -m -w 300"
	echo "-a -u 10.0.50.1:53 -r 172.28.50.2:53 -m -w 50"
	for i in 3 4 5 6 7 9; do echo "-a -u 10.0.50.1:53 -r 172.28.50.$i:53 -m -w 100"; done
	echo "-a -u 10.0.50.2:53 -r 172.28.51.1:53 -m -w 20"
	for i in 2 3 4 5 6 7; do echo "-a -u 10.0.50.2:53 -r 172.28.51.$i:53 -m -w 10"; done
} >"$out/ramp/target.rules"
count=1000 flows ramp-u1 udp 10.0.50.1:53
count=1000 flows ramp-u2 udp 10.0.50.2:53

plan+=(ramp)
