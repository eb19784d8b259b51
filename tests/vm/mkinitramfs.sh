#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the test initramfs for one kernel:
#   mkinitramfs.sh KVER OUTDIR --wmh KO --flowgen BIN [--payload DIR] [--snapshot BIN]
# OUTDIR/initramfs.cpio.gz then holds busybox, ipvsadm with its libraries and
# loader, the kernel's ip_vs/ip_vs_mh/ip_vs_sh/ip_vs_rr/dummy modules and
# their dependencies (decompressed, in insmod order), ip_vs_wmh.ko, flowgen,
# the guest scripts of tests/vm/guest and the payload directory as /data.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "mkinitramfs.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 KVER OUTDIR --wmh KO --flowgen BIN [--payload DIR] [--snapshot BIN]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
kver=$1
outdir=$2
shift 2
wmh=
flowgen=
payload=
snapshot=
while [ $# -gt 0 ]; do
	case $1 in
	--wmh) wmh=${2:?--wmh needs a path}; shift 2 ;;
	--flowgen) flowgen=${2:?--flowgen needs a path}; shift 2 ;;
	--payload) payload=${2:?--payload needs a directory}; shift 2 ;;
	--snapshot) snapshot=${2:?--snapshot needs a path}; shift 2 ;;
	*) usage ;;
	esac
done
if [ -z "$wmh" ] || [ -z "$flowgen" ]; then usage; fi
[ -d "/lib/modules/$kver" ] || die "no /lib/modules/$kver: is the kernel $kver installed?"
[ -f "$wmh" ] || die "ip_vs_wmh.ko not found at $wmh"
[ -x "$flowgen" ] || die "flowgen not found or not executable at $flowgen"
if ldd "$flowgen" >/dev/null 2>&1; then
	die "$flowgen is dynamically linked; the initramfs has no C library for it (link it with -static)"
fi
[ -z "$payload" ] || [ -d "$payload" ] || die "payload directory $payload not found"
for tool in cpio gzip xz modprobe; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y $tool)"
done
busybox=$(command -v busybox) || die "busybox is missing (apt-get install -y busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is not static (apt-get install -y busybox-static)"
ipvsadm=$(command -v ipvsadm) || die "ipvsadm is missing (apt-get install -y ipvsadm)"

mkdir -p "$outdir"
root=$outdir/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,etc,data,test,lib/modules/"$kver"}

cp "$busybox" "$root/bin/busybox"
cp "$flowgen" "$root/bin/flowgen"
if [ -n "$snapshot" ]; then
	ldd "$snapshot" >/dev/null 2>&1 && die "$snapshot is dynamically linked (link it with -static)"
	cp "$snapshot" "$root/bin/ipvs-snapshot"
fi
cp "$ipvsadm" "$root/sbin/ipvsadm"

# ipvsadm's shared libraries and the loader, at the paths ldd names.
while read -r lib; do
	[ -n "$lib" ] || continue
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done < <(ldd "$ipvsadm" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }')

# Kernel modules in insmod order, each once, decompressed.
order=$root/lib/modules/$kver/insmod.order
: >"$order"
for mod in ip_vs ip_vs_mh ip_vs_sh ip_vs_rr dummy; do
	modprobe -S "$kver" --show-depends "$mod" ||
		die "modprobe cannot resolve $mod for $kver"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
	name=$(basename "$ko")
	name=${name%.xz}
	name=${name%.zst}
	case $ko in
	*.xz) xz -dc "$ko" >"$root/lib/modules/$kver/$name" ;;
	*.zst) zstd -qdc "$ko" >"$root/lib/modules/$kver/$name" ;;
	*) cp "$ko" "$root/lib/modules/$kver/$name" ;;
	esac
	echo "$name" >>"$order"
done
[ -s "$order" ] || die "no modules found for $kver"
grep -qx 'ip_vs.ko' "$order" || die "ip_vs.ko missing from the module list of $kver"
cp "$wmh" "$root/lib/modules/$kver/ip_vs_wmh.ko"

cp "$here"/guest/* "$root/test/"
mv "$root/test/init" "$root/init"
chmod 755 "$root/init" "$root"/test/*.sh
echo "$kver" >"$root/etc/kver"
if [ -n "$payload" ]; then
	cp -r "$payload"/. "$root/data/"
fi

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc -R 0:0) | gzip -1 >"$outdir/initramfs.cpio.gz.tmp"
mv "$outdir/initramfs.cpio.gz.tmp" "$outdir/initramfs.cpio.gz"
echo "$outdir/initramfs.cpio.gz: $(du -k "$outdir/initramfs.cpio.gz" | cut -f1) KiB"
