#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Which scheduler wins where: three realistic scenarios replayed through
# wmh, hrw, chbl and the kernel's mh, sh, rr and wlc, then one table of
# balance, disruption, affinity and director failover (scenario_table.py,
# the table in Documentation/chbl.rst).
#
#   sh sim/demo/scenarios.sh BUILD/sim/ipvs-sim OUTDIR [FLOWS]
#
# FLOWS (default 300000, five minutes at 1000/s) is the trace of uniform and
# pool; the demo keeps its own 900,000 (fifteen minutes).
# demo     the demo (demo.conf, demo.timeline): a web VIP of 8 weighted
#          servers and a persistent one, Zipf clients with NAT gateways, no
#          port hashing, three directors without sync.
# uniform  20 equal servers, 50,000 clients of even activity (no skew, no
#          NAT), a server removed, returned and reweighted, a director lost.
# pool     200 servers of weights 1-4, Zipf clients with NAT gateways, port
#          hashing (-b flag-2, mh-port and sh-port are the same bit), a
#          rolling upgrade of 20 servers (weight +1 each, 5 s apart), one
#          removed, a director lost.
# Every scenario runs behind three ECMP directors without connection sync,
# with sloppy_tcp=1 (else no scheduler keeps a moved TCP flow).
set -eu
sim=${1:?usage: scenarios.sh IPVS_SIM OUTDIR [FLOWS]}
out=${2:?usage: scenarios.sh IPVS_SIM OUTDIR [FLOWS]}
flows=${3:-300000}
here=$(cd "$(dirname "$0")" && pwd)
scheds=wmh,hrw,chbl,mh,sh,rr,wlc
mkdir -p "$out"

# run NAME CONFIG TIMELINE FLOWS GENERATE-OPTIONS...
run() {
	name=$1 config=$2 timeline=$3 n=$4
	shift 4
	echo "scenarios: $name" >&2
	"$sim" generate --flows "$n" --rate 1000 --udp-fraction 0 --seed 7 \
		-o "$out/$name.trace" "$@"
	"$sim" compare -q --config "$config" --trace "$out/$name.trace" \
		--timeline "$timeline" --schedulers "$scheds" --directors 3 --window 60 \
		--sysctl sloppy_tcp=1 --out "$out/$name" >/dev/null
	rm -f "$out/$name.trace"
}

# The demo's own trace: 15 minutes, as its timeline.
run demo "$here/demo.conf" "$here/demo.timeline" 900000 --clients 20000 \
	--vip 10.0.0.1:80 --vip 10.0.0.2:443

{
	echo "-A -t 10.0.1.1:80 -s wmh"
	i=1
	while [ $i -le 20 ]; do
		echo "-a -t 10.0.1.1:80 -r 192.168.20.$i:80 -m -w 1"
		i=$((i + 1))
	done
} >"$out/uniform.conf"
cat >"$out/uniform.timeline" <<'TL'
60 -d -t 10.0.1.1:80 -r 192.168.20.7:80
120 -a -t 10.0.1.1:80 -r 192.168.20.7:80 -m -w 1
180 -e -t 10.0.1.1:80 -r 192.168.20.3:80 -m -w 2
240 director-down 1
TL
run uniform "$out/uniform.conf" "$out/uniform.timeline" "$flows" --clients 50000 --zipf 0 \
	--nat-fraction 0 --vip 10.0.1.1:80

{
	echo "-A -t 10.0.2.1:443 -s wmh -b flag-2"
	i=1
	while [ $i -le 200 ]; do
		echo "-a -t 10.0.2.1:443 -r 192.168.$((30 + i / 250)).$((i % 250 + 1)):443 -m -w $((1 + i % 4))"
		i=$((i + 1))
	done
} >"$out/pool.conf"
{
	i=1
	while [ $i -le 20 ]; do
		echo "$((60 + 5 * i)) -e -t 10.0.2.1:443 -r 192.168.30.$((i + 1)):443 -m -w $((2 + i % 4))"
		i=$((i + 1))
	done
	echo "200 -d -t 10.0.2.1:443 -r 192.168.30.50:443"
	echo "240 director-down 1"
} >"$out/pool.timeline"
run pool "$out/pool.conf" "$out/pool.timeline" "$flows" --clients 20000 --vip 10.0.2.1:443

/usr/bin/python3 "$here/scenario_table.py" "$out/demo" "$out/uniform" "$out/pool" \
	>"$out/table.rst"
cat "$out/table.rst"
