#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo: generate a 15-minute trace (900k TCP flows) and compare wmh with
# the kernel's mh, sh, rr and wlc on demo.conf + demo.timeline behind three
# directors without connection sync.
#
#   sh sim/demo/run-demo.sh BUILD/sim/ipvs-sim OUTDIR
set -eu
sim=${1:?usage: run-demo.sh IPVS_SIM OUTDIR}
out=${2:?usage: run-demo.sh IPVS_SIM OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
"$sim" generate --flows 900000 --rate 1000 --clients 20000 --vip 10.0.0.1:80 \
	--udp-fraction 0 --seed 7 -o "$out/trace.txt"
"$sim" compare --config "$here/demo.conf" --trace "$out/trace.txt" \
	--timeline "$here/demo.timeline" --schedulers wmh,mh,sh,rr,wlc \
	--directors 3 --window 60 --out "$out/report"
echo "report: $out/report (summary.txt, summary.json, *.csv, share.png, disruption.png)"
