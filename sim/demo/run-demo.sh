#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo: generate a 15-minute trace (900k TCP flows to two VIPs, one of
# them persistent) and compare wmh, hrw and chbl with the kernel's mh, sh, rr and wlc on
# demo.conf + demo.timeline behind three directors without connection sync,
# with net.ipv4.vs.sloppy_tcp=1 (without it no scheduler keeps a TCP flow
# that ECMP moves to another director: they would all break alike).
#
#   sh sim/demo/run-demo.sh BUILD/sim/ipvs-sim OUTDIR
set -eu
sim=${1:?usage: run-demo.sh IPVS_SIM OUTDIR}
out=${2:?usage: run-demo.sh IPVS_SIM OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
"$sim" generate --flows 900000 --rate 1000 --clients 20000 --vip 10.0.0.1:80 \
	--vip 10.0.0.2:443 \
	--udp-fraction 0 --seed 7 -o "$out/trace.txt"
"$sim" compare --config "$here/demo.conf" --trace "$out/trace.txt" \
	--timeline "$here/demo.timeline" --schedulers wmh,hrw,chbl,mh,sh,rr,wlc \
	--directors 3 --window 60 --sysctl sloppy_tcp=1 --out "$out/report"
echo "report: $out/report (summary.txt, summary.json, *.csv, share.png, disruption.png)"
