#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole VM suite, both kernels one after the other:
#   run-all.sh --kmod-dir-61 DIR --kmod-dir-612 DIR --flowgen BIN --out DIR
#              (--sim BIN | --no-sim) [--snapshot BIN] [--flows N] [--live-flows N]
#              [--timeout SECONDS] [--kernels "KVER..."] [--only NAME,...]
# DIR/ip_vs_wmh.ko must be built for the kernel (make -C kmod KVER=... OUT=DIR).
# --only runs just those scenarios (prepare.sh --only), for iterating.
# Runs the comparator's self-test, prepares the inputs once, then per
# kernel: builds the initramfs, boots it (run.sh) and compares (compare.sh).
# Prints a summary and exits 0 only if every case on every kernel passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# Debian's 6.1 and 6.12 kernels, whatever ABI version is installed.
k61=$(vm_kver 6.1)
k612=$(vm_kver 6.12)

usage() {
	sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

dir61=
dir612=
flowgen=
snapshot=
out=
sim=${SIM:-}
no_sim=0
flows=10000
live_flows=1500
timeout=420
kernels="$k61 $k612"
only_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--kmod-dir-61) dir61=${2:?}; shift 2 ;;
	--kmod-dir-612) dir612=${2:?}; shift 2 ;;
	--flowgen) flowgen=${2:?}; shift 2 ;;
	--snapshot) snapshot=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--sim) sim=${2:?}; shift 2 ;;
	--no-sim) no_sim=1; shift ;;
	--flows) flows=${2:?}; shift 2 ;;
	--live-flows) live_flows=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--kernels) kernels=${2:?}; shift 2 ;;
	--only) only_args=(--only "${2:?}"); shift 2 ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
if [ -z "$flowgen" ] || [ -z "$out" ]; then usage; fi
[ -x "$flowgen" ] || die "flowgen not found at '$flowgen' (cmake --build BUILD --target flowgen)"
if [ "$no_sim" -eq 1 ]; then
	sim_args=(--no-sim)
else
	[ -n "$sim" ] || die "pass --sim PATH (or SIM=PATH), or --no-sim to only collect kernel data"
	[ -x "$sim" ] || die "simulator '$sim' is not executable"
	sim_args=(--sim "$(realpath "$sim")")
fi
mkdir -p "$out"
out=$(realpath "$out")
flowgen=$(realpath "$flowgen")

t_start=$(date +%s)
summary=$out/summary.txt
: >"$summary"
overall=0

if "$here/selftest.sh" --flowgen "$flowgen" >"$out/selftest.log" 2>&1; then
	echo "PASS comparator-selftest" | tee -a "$summary"
else
	echo "FAIL comparator-selftest (see $out/selftest.log)" | tee -a "$summary"
	overall=1
fi

"$here/prepare.sh" "$out/payload" --flowgen "$flowgen" --flows "$flows" \
	--live-flows "$live_flows" "${only_args[@]}"

for kver in $kernels; do
	case $kver in
	6.1.*) kdir=$dir61 ;;
	6.12.*) kdir=$dir612 ;;
	*) die "no --kmod-dir option for kernel $kver" ;;
	esac
	[ -n "$kdir" ] || die "pass the directory of ip_vs_wmh.ko built for $kver"
	[ -f "$kdir/ip_vs_wmh.ko" ] || die "$kdir/ip_vs_wmh.ko not found (make -C kmod KVER=$kver OUT=$kdir)"
	kout=$out/$kver
	echo "=== $kver"
	snap_args=()
	[ -z "$snapshot" ] || snap_args=(--snapshot "$(realpath "$snapshot")")
	"$here/mkinitramfs.sh" "$kver" "$kout" --wmh "$kdir/ip_vs_wmh.ko" \
		--flowgen "$flowgen" --payload "$out/payload" "${snap_args[@]}"
	run_ok=PASS
	"$here/run.sh" "$kver" "$kout" --initrd "$kout/initramfs.cpio.gz" \
		--timeout "$timeout" || run_ok=FAIL
	cmp_ok=PASS
	"$here/compare.sh" "$kout" "$out/payload" --flowgen "$flowgen" "${sim_args[@]}" ||
		cmp_ok=FAIL
	echo "$run_ok $kver guest ($(awk '$3 == "PASS"' "$kout/results.txt" | wc -l) cases passed, $(cat "$kout/elapsed") s in QEMU)" |
		tee -a "$summary"
	echo "$cmp_ok $kver comparison ($(awk '$3 == "PASS"' "$kout/compare/results.txt" | wc -l) passed, $(awk '$3 == "SKIP"' "$kout/compare/results.txt" | wc -l) skipped)" |
		tee -a "$summary"
	if [ "$run_ok" = FAIL ] || [ "$cmp_ok" = FAIL ]; then
		overall=1
	fi
done

echo "run-all.sh: $(($(date +%s) - t_start)) s in all; summary in $summary"
cat "$summary"
exit "$overall"
