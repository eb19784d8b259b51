#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the host-side VM scripts, sourced by each of them (the guest's
# own helpers are guest/lib.sh). Before sourcing, a script may set
# VM_USAGE to its argument synopsis.
#
#   die MSG...        "SCRIPT: MSG" on stderr, exit 2 (bad usage or input)
#   skip MSG...       "SCRIPT: SKIP: MSG", exit $VM_SKIP: this machine cannot
#                     run the test (a tool is missing); CTest maps the status
#                     to a skip with SKIP_RETURN_CODE
#   usage             "usage: SCRIPT $VM_USAGE", exit 2
#   need_tool T PKG   skip unless command T exists (PKG: the Debian package)
#   vm_accel [KERNEL] prints kvm when KERNEL boots under KVM here, tcg
#                     otherwise
#   vm_kver PREFIX    the newest installed Debian kernel of a series, e.g.
#                     vm_kver 6.1 -> 6.1.0-57-amd64 (empty if none)
#   vm_boot KVER OUT KMOD_DIR FLOWGEN RUN_ARGS...
#                     one guest of OUT/payload: initramfs, then run.sh

# shellcheck disable=SC2034 # used by the scripts that source this file
VM_SKIP=4
vm_script=$(basename "$0")
vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
	echo "$vm_script: $*" >&2
	exit 2
}

skip() {
	echo "$vm_script: SKIP: $*" >&2
	exit "$VM_SKIP"
}

usage() {
	echo "usage: $vm_script ${VM_USAGE:-}" >&2
	exit 2
}

need_tool() {
	command -v "$1" >/dev/null || skip "$1 is missing (apt-get install -y ${2:-$1})"
}

# KVM when /dev/kvm opens and a kernel really boots with it, TCG
# otherwise. Opening /dev/kvm and starting a vCPU is not enough: on some
# hosts QEMU aborts setting the vCPU up, on others the guest hangs at
# "Booting from ROM" for ever. The probe boots KERNEL (default: any in
# /boot) with no root and waits up to 15 s for its banner on the serial
# port; under KVM it comes within a second. run-all.sh probes once and
# exports VM_ACCEL for the boots that follow.
vm_accel() {
	_kernel=${1:-$(ls /boot/vmlinuz-* 2>/dev/null | head -n 1)}
	_probe=$(mktemp)
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ -f "$_kernel" ]; then
		timeout 15 qemu-system-x86_64 -accel kvm -cpu max -m 128 -nographic -no-reboot \
			-nodefaults -serial "file:$_probe" -kernel "$_kernel" \
			-append "console=ttyS0 panic=-1" </dev/null >/dev/null 2>&1 || true
	fi
	if grep -a -q 'Linux version' "$_probe"; then
		echo kvm
	else
		echo tcg
	fi
	rm -f "$_probe"
}

vm_kver() {
	(cd /lib/modules 2>/dev/null && ls -d "$1".*-amd64 2>/dev/null | sort -V | tail -n 1) || true
}

# The benchmarks' single boot: the plan and inputs are in OUT/payload, the
# guest's output goes to OUT/KVER (run.sh's layout).
vm_boot() {
	_kver=$1 _out=$2 _kdir=$3 _flowgen=$4
	shift 4
	"$vm_dir/mkinitramfs.sh" "$_kver" "$_out/$_kver" --wmh "$_kdir/ip_vs_wmh.ko" \
		--flowgen "$(realpath "$_flowgen")" --payload "$_out/payload" >/dev/null
	"$vm_dir/run.sh" "$_kver" "$_out/$_kver" --initrd "$_out/$_kver/initramfs.cpio.gz" "$@"
}
