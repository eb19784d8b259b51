#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-kernel benchmark for make bench: one boot of the 6.1 guest pushes the
# same new UDP flows through a wmh and an mh service and reports the times:
#   bench-kernel.sh --kmod-dir DIR --flowgen BIN --out DIR [--kver KVER] [--flows N]
# Writes OUT/kernel_flows.json ({"flows", "wmh_seconds", "mh_seconds"}).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
kver=$(vm_kver 6.1)
kdir=
flowgen=
out=
flows=200000
while [ $# -gt 0 ]; do
	case $1 in
	--kmod-dir) kdir=${2:?}; shift 2 ;;
	--flowgen) flowgen=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--kver) kver=${2:?}; shift 2 ;;
	--flows) flows=${2:?}; shift 2 ;;
	*) sed -n '4,7p' "$0" >&2; exit 2 ;;
	esac
done
if [ -z "$kdir" ] || [ -z "$flowgen" ] || [ -z "$out" ] || [ -z "$kver" ]; then
	sed -n '4,7p' "$0" >&2
	exit 2
fi
mkdir -p "$out/payload/flows" "$out/payload/cmds"
out=$(realpath "$out")
echo kbench >"$out/payload/plan"
echo "$flows" >"$out/payload/kbench_flows"
vm_boot "$kver" "$out" "$kdir" "$flowgen" --timeout 900
cp "$out/$kver/files/kernel_flows.json" "$out/kernel_flows.json"
cat "$out/kernel_flows.json"
