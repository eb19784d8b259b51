#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every benchmark in one go and prints the summary of ratios.
#   bench/run.sh [--build DIR] [--smoke] [--out DIR]
# --smoke runs each benchmark once, briefly, so `make check` keeps them
# building and running without measuring anything.
set -euo pipefail

build=build
smoke=0
out=bench/results
while [[ $# -gt 0 ]]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--smoke) smoke=1; shift ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '4,7p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

cmake --build "$build" --target benchmarks -j "$(nproc)" >/dev/null
if [[ $smoke -eq 1 ]]; then
	out=$build/bench-smoke
	args=(--benchmark_min_time=0.001 --benchmark_repetitions=1)
else
	args=(--benchmark_min_time=0.2)
fi
mkdir -p "$out"

{
	echo "date: $(date -u +%FT%TZ)"
	echo "kernel: $(uname -r)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
	echo "cores: $(nproc)"
	echo "compiler: $(c++ --version | head -1)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$out/machine.txt"

for b in core_bench sched_bench; do
	exe=$build/bench/$b
	[[ -x $exe ]] || continue
	echo "bench: $b" >&2
	filter=()
	# In smoke mode skip the largest cases: they prove nothing more.
	[[ $smoke -eq 1 ]] && filter=(--benchmark_filter='-.*(1048573|N:10000|hrw/M:262139/N:1000|BM_Rebuild/N:1000).*')
	"$exe" "${args[@]}" "${filter[@]}" --benchmark_out="$out/$b.json.tmp" \
		--benchmark_out_format=json >/dev/null
	mv "$out/$b.json.tmp" "$out/$b.json"
done

# Replay through the simulator, end to end (parse, schedule, connection
# table, metrics) on a generated trace: one scheduler, then five in one
# compare run; then peak memory for a long trace streamed through a pipe,
# which must not grow with the trace's length.
sim=$build/sim/ipvs-sim
conf=sim/demo/demo.conf
rdir=$build/bench-replay
mkdir -p "$rdir"
if [[ $smoke -eq 1 ]]; then
	nflows=20000; long1=20000; long2=40000
else
	nflows=2000000; long1=10000000; long2=100000000
fi
echo "bench: replay ($nflows flows)" >&2
"$sim" -q generate -n "$nflows" --rate 20000 --clients 100000 --vip 10.0.0.1:80 \
	--seed 3 -o "$rdir/trace.txt"
measure() { # OUT_PREFIX COMMAND...: elapsed, user+sys seconds and peak RSS (KiB)
	local p=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$rdir/$p.time" "$@" >"$rdir/$p.out" 2>"$rdir/$p.err"
	read -r "${p}_real" "${p}_user" "${p}_sys" "${p}_rss" <"$rdir/$p.time"
}
# Best of three: this machine's page-fault cost on fresh memory varies from
# run to run by more than the replay's own variation.
best=
for _ in 1 2 3; do
	measure one "$sim" -q replay --config "$conf" --trace "$rdir/trace.txt" -s wmh \
		--probe-keys 0 --format json
	if [[ -z $best ]] || awk -v a="$one_real" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
		best="$one_real $one_user $one_sys $one_rss"
	fi
done
read -r one_real one_user one_sys one_rss <<<"$best"
measure five "$sim" -q compare --config "$conf" --trace "$rdir/trace.txt" \
	--schedulers wmh,mh,sh,rr,wlc --probe-keys 0 --format json
engine=$("$sim" bench -n "$nflows" -s wmh | sed -n 's/.* \([0-9.]*[MK]\) flows\/s.*/\1/p')
for n in "$long1" "$long2"; do
	echo "bench: peak memory, $n flows streamed" >&2
	# Flows capped at 300 s: past 300 s + the FIN timeout the number of live
	# connections is steady, so any growth between the two runs would come
	# from the trace's length itself.
	/usr/bin/time -f '%M' -o "$rdir/long-$n.time" bash -c \
		"'$sim' -q generate -n $n --rate 20000 --clients 100000 --vip 10.0.0.1:80 \
			--max-duration 300 -o - |
		 '$sim' -q replay --config '$conf' --trace - -s wmh --probe-keys 0 --format json >/dev/null"
done
rss1=$(cat "$rdir/long-$long1.time")
rss2=$(cat "$rdir/long-$long2.time")
cat >"$out/replay.json.tmp" <<JSON
{"flows": $nflows,
 "one": {"scheduler": "wmh", "seconds": $one_real, "cpu_seconds": $(awk -v a="$one_user" -v b="$one_sys" 'BEGIN { print a + b }'), "peak_rss_kib": $one_rss},
 "five": {"schedulers": "wmh,mh,sh,rr,wlc", "seconds": $five_real, "cpu_seconds": $(awk -v a="$five_user" -v b="$five_sys" 'BEGIN { print a + b }'), "peak_rss_kib": $five_rss},
 "engine_only": "$engine",
 "streamed": {"short_flows": $long1, "short_peak_rss_kib": $rss1, "long_flows": $long2, "long_peak_rss_kib": $rss2}}
JSON
mv "$out/replay.json.tmp" "$out/replay.json"

# In the kernel: one QEMU boot times the same flows through wmh and mh.
k61=$(cd /lib/modules && ls -d 6.1.*-amd64 2>/dev/null | sort -V | tail -n 1 || true)
if [[ $smoke -eq 0 && -n $k61 && -f $build/kmod/$k61/ip_vs_wmh.ko ]]; then
	echo "bench: kernel (QEMU, $k61)" >&2
	cmake --build "$build" --target flowgen >/dev/null
	bash tests/vm/bench-kernel.sh --kmod-dir "$build/kmod/$k61" \
		--flowgen "$build/tools/flowgen/flowgen" --out "$build/bench-kernel" >/dev/null
	cp "$build/bench-kernel/kernel_flows.json" "$out/"
else
	rm -f "$out/kernel_flows.json"
fi
"$build/bench/bench_summary" "$out" | tee "$out/summary.txt"
