#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole VM suite, both kernels one after the other:
#   run-all.sh --kmod-dir-61 DIR --kmod-dir-612 DIR --flowgen BIN --out DIR
#              (--sim BIN | --no-sim) [--snapshot BIN] [--verify BIN] [--capture BIN] [--flows N] [--live-flows N]
#              [--timeout SECONDS] [--kernels "KVER..."] [--only NAME,...]
#              [--debug-kernel ENTRY --kmod-dir-debug DIR [--debug-timeout SECONDS]
#               [--debug-flows N] [--debug-live-flows N]]
# DIR/ip_vs_wmh.ko must be built for the kernel (make -C kmod KVER=... OUT=DIR).
# --debug-kernel adds the debug kernel of debug-kernel.sh (ENTRY: its cache
# entry) after the others: booted with two CPUs and panic_on_warn, the whole
# suite runs on it and its guest must also pass the kmemleak scan. Its
# payload is prepared apart with fewer flows per burst (default 2000 and
# 300): under TCG, KASAN, lockdep and kmemleak make every packet about ten
# times dearer, and the bugs it exists to catch need the code paths, not
# the 10,000 flows the stock kernels already check decision by decision.
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
	sed -n '4,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

dir61=
dir612=
flowgen=
snapshot=
verify=
capture=
out=
sim=${SIM:-}
no_sim=0
flows=10000
live_flows=1500
timeout=1200
kernels="$k61 $k612"
only_args=()
debug_entry=
dir_debug=
debug_timeout=3600
debug_flows=2000
debug_live_flows=300
while [ $# -gt 0 ]; do
	case $1 in
	--kmod-dir-61) dir61=${2:?}; shift 2 ;;
	--kmod-dir-612) dir612=${2:?}; shift 2 ;;
	--flowgen) flowgen=${2:?}; shift 2 ;;
	--snapshot) snapshot=${2:?}; shift 2 ;;
	--verify) verify=${2:?}; shift 2 ;;
	--capture) capture=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--sim) sim=${2:?}; shift 2 ;;
	--no-sim) no_sim=1; shift ;;
	--flows) flows=${2:?}; shift 2 ;;
	--live-flows) live_flows=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--kernels) kernels=${2?}; shift 2 ;;
	--only) only_args=(--only "${2:?}"); shift 2 ;;
	--debug-kernel) debug_entry=${2:?}; shift 2 ;;
	--kmod-dir-debug) dir_debug=${2:?}; shift 2 ;;
	--debug-timeout) debug_timeout=${2:?}; shift 2 ;;
	--debug-flows) debug_flows=${2:?}; shift 2 ;;
	--debug-live-flows) debug_live_flows=${2:?}; shift 2 ;;
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
debug_kver=
if [ -n "$debug_entry" ]; then
	[ -f "$debug_entry/complete" ] || die "$debug_entry is not a complete debug kernel (tests/vm/debug-kernel.sh)"
	[ -n "$dir_debug" ] || die "--debug-kernel needs --kmod-dir-debug (ip_vs_wmh.ko built against $debug_entry/obj)"
	debug_kver=$(cat "$debug_entry/kernelrelease")
	kernels="$kernels $debug_kver"
fi
mkdir -p "$out"
out=$(realpath "$out")
flowgen=$(realpath "$flowgen")

t_start=$(date +%s)
# One KVM probe for all the boots (lib.sh's vm_accel; VM_ACCEL overrides).
VM_ACCEL=${VM_ACCEL:-$(vm_accel)}
export VM_ACCEL
echo "run-all.sh: QEMU acceleration: $VM_ACCEL"
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
if [ -n "$debug_kver" ]; then
	"$here/prepare.sh" "$out/payload-debug" --flowgen "$flowgen" --flows "$debug_flows" \
		--live-flows "$debug_live_flows" "${only_args[@]}"
fi

for kver in $kernels; do
	init_args=()
	boot_args=(--timeout "$timeout")
	payload=$out/payload
	case $kver in
	"$debug_kver")
		kdir=$dir_debug
		init_args=(--modules-root "$debug_entry/root")
		boot_args=(--timeout "$debug_timeout" --kernel "$debug_entry/bzImage" --smp 2 --mem 2G)
		payload=$out/payload-debug
		;;
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
	[ -z "$verify" ] || snap_args+=(--verify "$(realpath "$verify")")
	[ "$no_sim" -eq 1 ] || snap_args+=(--ipvs-sim "$(realpath "$sim")") # ramp
	[ -z "$capture" ] || snap_args+=(--capture "$(realpath "$capture")")
	"$here/mkinitramfs.sh" "$kver" "$kout" --wmh "$kdir/ip_vs_wmh.ko" \
		--flowgen "$flowgen" --payload "$payload" "${snap_args[@]}" "${init_args[@]}"
	run_ok=PASS
	"$here/run.sh" "$kver" "$kout" --initrd "$kout/initramfs.cpio.gz" \
		"${boot_args[@]}" || run_ok=FAIL
	# The debug kernel's guest must have run its kmemleak scan.
	if [ "$kver" = "$debug_kver" ] && ! grep -q '^RESULT health-kmemleak PASS' "$kout/results.txt"; then
		echo "run-all.sh: $kver: no passing kmemleak scan in $kout/results.txt" >&2
		run_ok=FAIL
	fi
	cmp_ok=PASS
	"$here/compare.sh" "$kout" "$payload" --flowgen "$flowgen" "${sim_args[@]}" ||
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
