#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Writes rules in `ipvsadm -Sn` form that rebuild the kernel's list order:
#   nosort-config.sh LN_NOSORT SN > CONFIG
# ipvsadm 1.31 refuses --nosort with -S, and -Sn sorts services and dests,
# while the simulator needs the kernel's order (for mh and sh it decides).
# So the guest saves both `ipvsadm -Ln --nosort` (order) and `ipvsadm -Sn`
# (every option), and this puts the -Sn lines in the -Ln order of services
# with each service's dests oldest first: -Ln --nosort lists the head (the
# newest) first, and a rules file means what `ipvsadm -R` makes of it, each
# -a at the head. Fails if the two do not describe the same services and
# dests.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 LN_NOSORT SN" >&2
	exit 2
fi
for f in "$1" "$2"; do
	[ -f "$f" ] || { echo "nosort-config.sh: $f not found" >&2; exit 2; }
done

awk -v ln="$1" -v sn="$2" '
	function fail(msg) { print "nosort-config.sh: " msg > "/dev/stderr"; bad = 1; exit 1 }
	function flush() { while (nd > 0) print pending[nd--] }
	BEGIN {
		proto["TCP"] = "-t"; proto["UDP"] = "-u"; proto["FWM"] = "-f"
		proto["SCTP"] = "--sctp-service"
		while ((getline line < sn) > 0) {
			n = split(line, f, " ")
			if (n == 0) continue
			if (f[1] == "-A") { svc[f[2] " " f[3]] = line; nsvc++ }
			else if (f[1] == "-a" && f[4] == "-r") { dst[f[2] " " f[3] " " f[5]] = line; ndst++ }
			else fail(sn ": unexpected line: " line)
		}
		while ((getline line < ln) > 0) {
			n = split(line, f, " ")
			if (n == 0 || line ~ /^IP Virtual Server/ || f[1] == "Prot" ||
			    (f[1] == "->" && f[2] == "RemoteAddress:Port"))
				continue
			if (f[1] == "->") {
				if (cur == "") fail(ln ": dest before any service: " line)
				key = cur " " f[2]
				if (!(key in dst)) fail(ln ": dest " key " missing from " sn)
				pending[++nd] = dst[key]; delete dst[key]; ndst--
			} else {
				if (!(f[1] in proto)) fail(ln ": unknown protocol in: " line)
				flush()
				cur = proto[f[1]] " " f[2]
				if (!(cur in svc)) fail(ln ": service " cur " missing from " sn)
				print svc[cur]; delete svc[cur]; nsvc--
			}
		}
		flush()
		if (nsvc != 0 || ndst != 0)
			fail(sn ": " nsvc " services and " ndst " dests not listed in " ln)
	}'
