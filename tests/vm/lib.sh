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
#   vm_accel          prints kvm when KVM works here, tcg otherwise

# shellcheck disable=SC2034 # used by the scripts that source this file
VM_SKIP=4
vm_script=$(basename "$0")

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

# KVM when /dev/kvm opens and QEMU can set a vCPU up (on some hosts it
# aborts doing so), TCG otherwise. The probe starts QEMU stopped (-S) and
# quits from the monitor at once.
vm_accel() {
	# The subshell keeps bash's "Aborted" report of the probe off stderr.
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		(echo quit | timeout 20 qemu-system-x86_64 -accel kvm -cpu max -m 64 -nographic \
			-nodefaults -monitor stdio -S) >/dev/null 2>&1; then
		echo kvm
	else
		echo tcg
	fi
}
