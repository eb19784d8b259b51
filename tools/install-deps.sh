#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs the Debian packages ipvs-sched needs, and only those missing: on a
# machine that has them all it changes nothing and does not touch apt.
#
#   install-deps.sh           everything make check needs (kernels, QEMU, ...)
#   install-deps.sh --demo    only what make demo needs: the userspace build
#                             (no kernels, no QEMU)
#   install-deps.sh --list    print the package list and exit
#
# As a normal user, missing packages are not installed: the script prints the
# one apt-get line to run as root and exits 1.
set -euo pipefail

# What CMake needs to configure and build the simulator and the tools, and
# gnuplot for the demo's plots.
USERSPACE=(
	build-essential cmake pkg-config git
	libgtest-dev libgmock-dev libbenchmark-dev
	libfmt-dev nlohmann-json3-dev libcli11-dev
	libpcap-dev libnl-3-dev libnl-genl-3-dev
	gnuplot-nox
)
# The module builds, the QEMU guests and what runs inside them (ipvsadm,
# keepalived, nft, kmod's modprobe), the debug kernel's source and build
# tools, and the checks of make check (debootstrap: the bare-machine demo
# test; python3-docutils: the docs check).
CHECK=(
	linux-headers-amd64 linux-image-amd64
	linux-headers-6.12-amd64 linux-image-6.12-amd64
	qemu-system-x86 busybox-static ipvsadm keepalived nftables kmod cpio xz-utils
	sparse clang-format time dkms debootstrap python3-docutils
	clang libclang-rt-14-dev
	linux-source-6.12 bc bison flex libelf-dev libssl-dev
)

packages=("${USERSPACE[@]}" "${CHECK[@]}")
list=0
case ${1:-} in
"") ;;
--demo) packages=("${USERSPACE[@]}") ;;
--list) list=1 ;;
-h | --help)
	sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "install-deps: unknown option '$1' (--demo, --list, --help)" >&2
	exit 2
	;;
esac
if [[ $list -eq 1 ]]; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps: ${#missing[@]} Debian packages are missing; as root, run:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The kernels are only booted in QEMU with our own initramfs: skip building
# host initramfs images for them, which takes minutes.
export INITRD=No
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
