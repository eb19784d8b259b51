#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs the Debian packages ipvs-sched needs to build and test, and only
# those missing: on a machine that has them all it changes nothing and does
# not touch the network.
set -euo pipefail

PACKAGES=(
	build-essential cmake pkg-config git
	libgtest-dev libgmock-dev libbenchmark-dev
	libfmt-dev nlohmann-json3-dev libcli11-dev
	libpcap-dev libnl-3-dev libnl-genl-3-dev
	linux-headers-amd64 linux-image-amd64
	linux-headers-6.12-amd64 linux-image-6.12-amd64
	qemu-system-x86 busybox-static ipvsadm kmod cpio xz-utils
	sparse gnuplot-nox clang-format time dkms
)

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps: all ${#PACKAGES[@]} packages present"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps: need root to install packages (run: sudo $0)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The kernels are only booted in QEMU with our own initramfs: skip building
# host initramfs images for them, which takes minutes.
export INITRD=No
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
