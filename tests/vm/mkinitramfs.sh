#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the test initramfs for one kernel:
#   mkinitramfs.sh KVER OUTDIR --wmh KO --flowgen BIN [--payload DIR] [--snapshot BIN]
#                  [--verify BIN] [--ipvs-sim BIN] [--capture BIN] [--modprobe-d DIR] [--modules-root DIR]
# OUTDIR/initramfs.cpio.gz then holds busybox, ipvsadm, kmod (as /sbin/modprobe,
# the path the kernel's request_module runs), keepalived and nft with their
# libraries and loader, a depmod'ed module tree /lib/modules/KVER (every IPVS
# scheduler of the kernel, dummy, nf_tables and veth (loaded by the fwmark
# and connection reuse scenarios), their dependencies, decompressed, and
# ip_vs_wmh.ko in updates/), insmod.order (what init loads at boot), the
# modprobe files of DIR (default kmod/modprobe.d) in /test/modprobe.d, not
# enabled, flowgen, ipvs-snapshot and ipvs-verify (if given; static),
# ipvs-capture (if given; dynamic, with its libraries), the
# guest scripts of tests/vm/guest and the payload
# directory as /data. The kernel's modules come from
# ROOT/lib/modules/KVER, ROOT being --modules-root (default /; the debug
# kernel's modules_install tree).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
VM_USAGE="KVER OUTDIR --wmh KO --flowgen BIN [--payload DIR] [--snapshot BIN] [--verify BIN] [--ipvs-sim BIN] [--capture BIN] [--modprobe-d DIR] [--modules-root DIR]"
# shellcheck source=lib.sh
. "$here/lib.sh"

[ $# -ge 2 ] || usage
kver=$1
outdir=$2
shift 2
wmh=
flowgen=
payload=
snapshot=
verify=
ipvs_sim= # ipvs-sim ramp --apply (scenario-ramp.sh); dynamic, with its libraries
capture=
modprobe_d=$here/../../kmod/modprobe.d
mroot=
while [ $# -gt 0 ]; do
	case $1 in
	--wmh) wmh=${2:?--wmh needs a path}; shift 2 ;;
	--flowgen) flowgen=${2:?--flowgen needs a path}; shift 2 ;;
	--payload) payload=${2:?--payload needs a directory}; shift 2 ;;
	--snapshot) snapshot=${2:?--snapshot needs a path}; shift 2 ;;
	--verify) verify=${2:?--verify needs a path}; shift 2 ;;
	--ipvs-sim) ipvs_sim=${2:?--ipvs-sim needs a path}; shift 2 ;;
	--capture) capture=${2:?--capture needs a path}; shift 2 ;;
	--modprobe-d) modprobe_d=${2:?--modprobe-d needs a directory}; shift 2 ;;
	--modules-root) mroot=$(realpath "${2:?--modules-root needs a directory}"); shift 2 ;;
	*) usage ;;
	esac
done
if [ -z "$wmh" ] || [ -z "$flowgen" ]; then usage; fi
[ -d "$mroot/lib/modules/$kver" ] || die "no $mroot/lib/modules/$kver: is the kernel $kver installed?"
# kmod's tools read the module tree under the root.
kmodroot=(-d "${mroot:-/}")
[ -f "$wmh" ] || die "ip_vs_wmh.ko not found at $wmh"
[ -x "$flowgen" ] || die "flowgen not found or not executable at $flowgen"
if ldd "$flowgen" >/dev/null 2>&1; then
	die "$flowgen is dynamically linked; the initramfs has no C library for it (link it with -static)"
fi
[ -z "$payload" ] || [ -d "$payload" ] || die "payload directory $payload not found"
for tool in cpio:cpio gzip:gzip xz:xz-utils modprobe:kmod depmod:kmod; do
	need_tool "${tool%:*}" "${tool#*:}"
done
need_tool busybox busybox-static
busybox=$(command -v busybox)
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is not static (apt-get install -y busybox-static)"
need_tool ipvsadm
ipvsadm=$(command -v ipvsadm)
need_tool kmod
kmod=$(realpath "$(command -v kmod)")
need_tool keepalived
keepalived=$(command -v keepalived)
need_tool nft nftables
nft=$(command -v nft)

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
if [ -n "$verify" ]; then
	ldd "$verify" >/dev/null 2>&1 && die "$verify is dynamically linked (link it with -static)"
	cp "$verify" "$root/bin/ipvs-verify"
fi
[ -z "$ipvs_sim" ] || cp "$ipvs_sim" "$root/bin/ipvs-sim"
# ipvs-capture is dynamic (libpcap has no static build without libsystemd):
# its libraries are copied below.
[ -z "$capture" ] || cp "$capture" "$root/bin/ipvs-capture"
cp "$ipvsadm" "$root/sbin/ipvsadm"
# kmod's modprobe: request_module() runs /sbin/modprobe (init links it there
# over busybox's applet).
cp "$kmod" "$root/sbin/kmod"
cp "$keepalived" "$root/sbin/keepalived"
cp "$nft" "$root/sbin/nft"

# The shared libraries and the loader, at the paths ldd names.
for bin in "$ipvsadm" "$kmod" "$keepalived" "$nft" ${ipvs_sim:+"$ipvs_sim"} ${capture:+"$capture"}; do
	ldd "$bin" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'
done | sort -u | while read -r lib; do
	[ -n "$lib" ] || continue
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

# The module tree: every IPVS scheduler, dummy, nf_tables (whose core has
# the route chain type and the meta, payload and set expressions that
# `meta mark set` rules need: modprobe --show-depends finds no
# nft_chain_route or nft_meta module in these kernels) and veth, with their
# dependencies, decompressed, at their paths; ip_vs_wmh.ko in updates/;
# depmod'ed.
# insmod.order lists what init loads at boot, in dependency order.
mdir=$root/lib/modules/$kver
order=$mdir/insmod.order
scheds=$(find "$mroot/lib/modules/$kver/kernel/net/netfilter/ipvs" -name 'ip_vs_*.ko*' |
	sed 's|.*/||; s|\.ko.*||' | grep -v -E '^ip_vs_(ftp|pe_sip)$' | sort)
for mod in ip_vs $scheds dummy nf_tables veth; do
	modprobe "${kmodroot[@]}" -S "$kver" --show-depends "$mod" ||
		die "modprobe cannot resolve $mod for $kver"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
	rel=${ko#"$mroot"/lib/modules/"$kver"/}
	rel=${rel%.xz}
	rel=${rel%.zst}
	mkdir -p "$mdir/$(dirname "$rel")"
	case $ko in
	*.xz) xz -dc "$ko" >"$mdir/$rel" ;;
	*.zst) zstd -qdc "$ko" >"$mdir/$rel" ;;
	*) cp "$ko" "$mdir/$rel" ;;
	esac
done
for mod in ip_vs ip_vs_mh ip_vs_sh ip_vs_rr dummy; do
	modprobe "${kmodroot[@]}" -S "$kver" --show-depends "$mod"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
	sed "s|^$mroot/lib/modules/$kver/||; s|\.xz\$||; s|\.zst\$||" >"$order"
[ -s "$order" ] || die "no modules found for $kver"
grep -q '/ip_vs\.ko$' "$order" || die "ip_vs.ko missing from the module list of $kver"
mkdir -p "$mdir/updates"
cp "$wmh" "$mdir/updates/ip_vs_wmh.ko"
# ip_vs_hrw.ko and ip_vs_chbl.ko are built beside it; ipvsadm -s hrw (or
# chbl) has the kernel load them.
for m in ip_vs_hrw ip_vs_chbl; do
	ko=$(dirname "$wmh")/$m.ko
	[ -f "$ko" ] || die "$m.ko not found beside $wmh"
	cp "$ko" "$mdir/updates/$m.ko"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ ! -f "$mroot/lib/modules/$kver/$f" ] || cp "$mroot/lib/modules/$kver/$f" "$mdir/"
done
depmod -b "$root" "$kver" || die "depmod -b $root $kver failed"
for m in ip_vs_wmh ip_vs_hrw ip_vs_chbl; do
	grep -q "^updates/$m.ko:" "$mdir/modules.dep" || die "depmod did not list updates/$m.ko"
done

cp "$here"/guest/* "$root/test/"
mkdir -p "$root/test/modprobe.d" "$root/etc/modprobe.d"
if [ -d "$modprobe_d" ]; then
	cp "$modprobe_d"/*.conf "$root/test/modprobe.d/" 2>/dev/null || true
fi
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
