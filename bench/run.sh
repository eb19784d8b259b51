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

for b in core_bench sched_bench replay_bench; do
	exe=$build/bench/$b
	[[ -x $exe ]] || continue
	echo "bench: $b" >&2
	filter=()
	# In smoke mode skip the largest cases: they prove nothing more.
	[[ $smoke -eq 1 ]] && filter=(--benchmark_filter='-.*(1048573|N:10000).*')
	"$exe" "${args[@]}" "${filter[@]}" --benchmark_out="$out/$b.json.tmp" \
		--benchmark_out_format=json >/dev/null
	mv "$out/$b.json.tmp" "$out/$b.json"
done

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
