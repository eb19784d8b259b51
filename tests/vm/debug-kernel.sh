#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM suite's debug kernel, built from Debian's linux-source-6.12 and
# cached on the machine:
#   debug-kernel.sh [--cache DIR] [--jobs N] [--print]
# The config is `make allnoconfig` plus tests/vm/debug-kernel.config (KASAN,
# lockdep, PROVE_RCU, RCU-head object debugging, atomic-sleep checks,
# kmemleak; IPVS and its schedulers as modules). The cache entry is keyed by
# the source package's version and a hash of that config and this script,
# in DIR (default $IPVS_SCHED_CACHE, else /var/cache/ipvs-sched), so a
# second make check reuses it and any change to either rebuilds. An entry
# holds
#   bzImage          the kernel
#   kernelrelease    its uname -r (6.12.N-ipvs-debug)
#   root/lib/modules/RELEASE/   its modules, as modules_install writes them
#   obj/             the build tree: KDIR for out-of-tree modules
#   build.log, seconds   how the build went and how long it took
#   complete         written last (by rename): an entry without it is an
#                    interrupted build, removed and built again
# The build happens in place, since kbuild's tree records absolute paths.
# The last line printed is the entry's directory (--print: only that,
# failing if not cached).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/debug-kernel.config
cache=${IPVS_SCHED_CACHE:-/var/cache/ipvs-sched}
jobs=$(nproc)
print_only=0

die() {
	echo "debug-kernel: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=${2:?--cache needs a directory}; shift 2 ;;
	--jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
	--print) print_only=1; shift ;;
	-h | --help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (--cache DIR, --jobs N, --print)" ;;
	esac
done

pkg=linux-source-6.12
tarball=/usr/src/$pkg.tar.xz
version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
	die "$pkg is not installed (make deps installs it)"
[ -f "$tarball" ] || die "$tarball is missing (apt-get install --reinstall $pkg)"
key=$(cat "$fragment" "$0" | sha256sum | cut -c1-12)
entry=$cache/debug-kernel/6.12-${version//[^A-Za-z0-9.+-]/_}-$key

if [ -f "$entry/complete" ]; then
	[ "$print_only" -eq 1 ] || echo "debug-kernel: cached: $version, config $key (built in $(cat "$entry/seconds") s)" >&2
	echo "$entry"
	exit 0
fi
[ "$print_only" -eq 0 ] || die "no cached debug kernel for $version, config $key in $cache"

for tool in make gcc bc bison flex; do
	command -v "$tool" >/dev/null || die "$tool is missing (make deps)"
done
[ -f /usr/include/libelf.h ] || die "libelf-dev is missing (make deps)"
[ -f /usr/include/openssl/ssl.h ] || die "libssl-dev is missing (make deps)"

mkdir -p "$cache/debug-kernel"
tmp=$entry
rm -rf "$tmp"
mkdir -p "$tmp/obj"
t0=$(date +%s)
echo "debug-kernel: building $pkg $version (config $key) in $tmp, -j$jobs; a first build takes about 15 minutes" >&2
tar -C "$tmp" -xf "$tarball"
src=$tmp/$pkg
log=$tmp/build.log

kmake() {
	make -C "$src" O="$tmp/obj" "$@" >>"$log" 2>&1 || {
		tail -n 40 "$log" >&2
		die "make $* failed (log: $log)"
	}
}

kmake allnoconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$tmp/obj" "$tmp/obj/.config" "$fragment" >>"$log" 2>&1 ||
	die "merge_config.sh failed"
kmake olddefconfig
# Every line of the fragment must have survived Kconfig.
missing=0
while read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$tmp/obj/.config" || { echo "debug-kernel: Kconfig dropped $line" >&2; missing=1; } ;;
	"# CONFIG_"*" is not set") opt=${line#\# } opt=${opt%% *}
		! grep -q "^$opt=" "$tmp/obj/.config" || { echo "debug-kernel: Kconfig set $opt" >&2; missing=1; } ;;
	esac
done <"$fragment"
[ "$missing" -eq 0 ] || die "the config lost options of $fragment"

# Progress for a long build: one line a minute with the objects built.
(
	while sleep 60; do
		echo "debug-kernel: $(($(date +%s) - t0)) s, $(find "$tmp/obj" -name '*.o' 2>/dev/null | wc -l) objects" >&2
	done
) &
progress=$!
# || true: the EXIT trap's status is the script's, and a first build has
# killed the progress loop already (make debug-kernel failed after a
# successful build).
trap 'kill $progress 2>/dev/null || true' EXIT
kmake -j"$jobs" bzImage modules
kmake modules_install INSTALL_MOD_PATH="$tmp/root"
kill "$progress" 2>/dev/null || true
make -s -C "$src" O="$tmp/obj" kernelrelease >"$tmp/kernelrelease"
cp "$tmp/obj/arch/x86/boot/bzImage" "$tmp/bzImage"
release=$(cat "$tmp/kernelrelease")
[ -d "$tmp/root/lib/modules/$release/kernel/net/netfilter/ipvs" ] ||
	die "modules_install wrote no IPVS modules for $release"
echo "$(($(date +%s) - t0))" >"$tmp/seconds"
echo "$pkg $version config $key" >"$tmp/complete.new"
mv "$tmp/complete.new" "$tmp/complete"
echo "debug-kernel: $release built in $(cat "$entry/seconds") s, cached in $entry" >&2
echo "$entry"
