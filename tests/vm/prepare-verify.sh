# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # out, seed, plan: prepare.sh's
#
# The guest's inputs for the table export and ipvs-verify scenarios
# (guest/scenario-verify.sh), sourced by prepare.sh before it writes the
# plan, with its $out, $seed, flows(), dests() and shuffle():
#   verify/module.params     ip_vs_wmh's parameters for verify (table_size=251,
#                            a key of its own); verify/hash_key that key
#   cmds/verify-setup        four wmh services (UDP v4, TCP v6 flag-2,
#                            fwmark 40, one without dests) and an rr one
#   cmds/verify-enospc       a wmh service given 252 servers: one more than
#                            the 251 slots of its table
#   cmds/verify-storm-NN     300 valid edits of the two wmh services with
#                            dests (add, delete, reweight, drain to 0), in
#                            batches of 50, ending with dests drained on both;
#                            verify/storm.ops lists them
#   cmds/verify-dropin       the drop-in scenario's service (-s mh -b mh-port)
#   flows/verify-*           the bursts' and the storm's flows

verify_key=f0e1d2c3b4a5968778695a4b3c2d1e0f
mkdir -p "$out/verify"
echo "table_size=251 hash_key=$verify_key" >"$out/verify/module.params"
echo "$verify_key" >"$out/verify/hash_key"
{
	echo "-A -u 10.0.40.1:53 -s wmh"
	echo "-A -t [fd00::40:1]:80 -s wmh -b flag-2"
	echo "-A -f 40 -s wmh"
	echo "-A -u 10.0.40.2:53 -s wmh"
	echo "-A -u 10.0.40.3:53 -s rr"
	{
		dests "-u 10.0.40.1:53" 8 "172.28.1.%d" 53 1 100 51
		dests "-t [fd00::40:1]:80" 20 "[fd00:2::40:%x]" 8080 1 1000 52
		for i in 1 2 3 4 5; do
			echo "-a -f 40 -r 172.28.3.$i -m -w $i"
		done
		dests "-u 10.0.40.3:53" 3 "172.28.4.%d" 53 1 1 54
	} | shuffle 50
} >"$out/cmds/verify-setup.ipvsadm"
count=2000 flows verify-u4 udp 10.0.40.1:53
count=2000 flows verify-t6 tcp '[fd00::40:1]:80'

{
	echo "-A -u 10.0.40.5:53 -s wmh"
	for i in $(seq 1 252); do
		echo "-a -u 10.0.40.5:53 -r 172.29.$((i / 200)).$((i % 200 + 1)):53 -m -w $((i % 7 + 1))"
	done
} >"$out/cmds/verify-enospc.ipvsadm"

# The storm: each edit valid given the ones before it (the setup's dests
# are present); the last edits drain two dests of each service and leave
# at least two up, so that ipvs-verify must accept the drained ones' weight
# 0 against their last weight in the table.
awk -v seed="$((seed * 97 + 11))" -v dir="$out/cmds" -v ops="$out/verify/storm.ops" '
	function emit(line,   f) {
		f = sprintf("%s/verify-storm-%02d.ipvsadm", dir, int(n / 50))
		n++
		if (f != cur) { if (cur != "") close(cur); cur = f }
		print line > f
		print line > ops
	}
	function key(s, d) { return s ":" d }
	function addr(s, d) { return sprintf(fmt[s], d) }
	BEGIN {
		srand(seed)
		svc[1] = "-u 10.0.40.1:53"; fmt[1] = "172.28.1.%d:53"; have[1] = 8
		svc[2] = "-t [fd00::40:1]:80"; fmt[2] = "[fd00:2::40:%x]:8080"; have[2] = 20
		for (s = 1; s <= 2; s++)
			for (d = 1; d <= have[s]; d++) present[key(s, d)] = 1
		for (op = 0; op < 290; op++) {
			s = 1 + int(rand() * 2); d = 1 + int(rand() * 40)
			if (!(key(s, d) in present)) {
				emit("-a " svc[s] " -r " addr(s, d) " -m -w " (1 + int(rand() * 200)))
				present[key(s, d)] = 1
			} else if (rand() < 0.25) {
				emit("-d " svc[s] " -r " addr(s, d))
				delete present[key(s, d)]
			} else {
				w = rand() < 0.25 ? 0 : 1 + int(rand() * 200)
				emit("-e " svc[s] " -r " addr(s, d) " -m -w " w)
			}
		}
		# Settle: dests 41..45 of each service added, 41 and 42 drained.
		for (s = 1; s <= 2; s++) {
			for (d = 41; d <= 45; d++)
				emit("-a " svc[s] " -r " addr(s, d) " -m -w " (d * 3))
			emit("-e " svc[s] " -r " addr(s, 41) " -m -w 0")
			emit("-e " svc[s] " -r " addr(s, 42) " -m -w 0")
		}
	}'
count=3000 flows verify-storm-u4 udp 10.0.40.1:53
count=3000 flows verify-storm-t6 tcp '[fd00::40:1]:80'

{
	echo "-A -t 10.0.41.1:80 -s mh -b mh-port"
	dests "-t 10.0.41.1:80" 16 "172.28.41.%d" 80 1 50 55 | shuffle 55
} >"$out/cmds/verify-dropin.ipvsadm"
count=3000 flows verify-dropin tcp 10.0.41.1:80

plan+=(verify verify-dropin verify-hrw verify-chbl)
