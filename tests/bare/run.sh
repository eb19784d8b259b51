#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo` as the very first command on a bare Debian bookworm:
#   tests/bare/run.sh [--work DIR] [--keep]
# A minbase bookworm (debootstrap, cached as a tarball under
# /var/cache/ipvs-sched) gets git and make and nothing else, and a clone of
# this repository's HEAD. Then, inside it:
#   1. as a normal user, make demo fails and prints the one apt-get line;
#   2. as root, make demo installs the userspace packages (no kernel, no
#      QEMU) and writes the demo report;
#   3. as root again, make demo succeeds without running apt-get.
# Needs root (chroot, mounts) and debootstrap; reaches the Debian mirror.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=/var/cache/ipvs-sched
work=${TMPDIR:-/var/tmp}/ipvs-bare-check
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--work) work=${2:?}; shift 2 ;;
	--keep) keep=1; shift ;;
	*) sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done

die() {
	echo "bare: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (chroot and mounts)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}

# The minbase tree, once per machine.
base=$cache/bookworm-minbase.tar
if [ ! -f "$base" ]; then
	echo "bare: debootstrap bookworm (minbase) from $mirror"
	mkdir -p "$cache"
	rm -rf "$cache/tree"
	debootstrap --variant=minbase bookworm "$cache/tree" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed"; }
	tar -C "$cache/tree" -cf "$base.tmp" .
	mv "$base.tmp" "$base"
	rm -rf "$cache/tree"
fi

root=$work/root
cleanup() {
	for m in dev/pts dev proc sys; do
		mountpoint -q "$root/$m" && umount -l "$root/$m"
	done
	[ "$keep" -eq 1 ] || rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$root"
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 "$@"
}

# The machine the README promises: bookworm with git and make, nothing else.
echo "bare: installing git and make into the bare tree"
in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git make ca-certificates' \
	>"$work/setup.log" 2>&1 || { tail -n 20 "$work/setup.log" >&2; die "setup failed"; }
in_root useradd -m builder
git clone -q "$repo" "$root/home/builder/ipvs-sched"
chroot "$root" chown -R builder:builder /home/builder/ipvs-sched

fail=0
# 1. A normal user: no packages installed, the apt-get line printed.
status=0
chroot --userspec=builder:builder "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/home/builder \
	sh -c 'cd /home/builder/ipvs-sched && make demo' >"$work/user.log" 2>&1 || status=$?
if [ "$status" -ne 0 ] && grep -q 'apt-get install -y --no-install-recommends' "$work/user.log"; then
	echo "PASS bare-user: make demo as a normal user exits $status and prints the apt-get line"
else
	echo "FAIL bare-user: exit $status; output:"; tail -n 20 "$work/user.log"; fail=1
fi

# 2. Root, first command: installs the userspace packages, runs the demo.
t0=$(date +%s)
status=0
in_root sh -c 'cd /home/builder/ipvs-sched && make demo' >"$work/root.log" 2>&1 || status=$?
t1=$(date +%s)
report=$root/home/builder/ipvs-sched/out/demo/report
kernels=$(in_root sh -c 'ls -d /lib/modules/* /usr/bin/qemu-system-x86_64 2>/dev/null' || true)
if [ "$status" -eq 0 ] && [ -s "$report/summary.json" ] && [ -z "$kernels" ]; then
	echo "PASS bare-root: make demo installed the userspace packages and wrote the report in $((t1 - t0)) s; no kernel, no QEMU"
else
	echo "FAIL bare-root: exit $status, kernels/qemu: '${kernels}'; output:"; tail -n 30 "$work/root.log"; fail=1
fi

# 3. Root again: apt-get must not run (a stand-in that fails says if it did).
cat >"$root/usr/local/sbin/apt-get" <<'STUB'
#!/bin/sh
echo "apt-get called: $*" >>/tmp/apt-called
exit 1
STUB
chmod 755 "$root/usr/local/sbin/apt-get"
status=0
in_root sh -c 'cd /home/builder/ipvs-sched && make demo' >"$work/again.log" 2>&1 || status=$?
if [ "$status" -eq 0 ] && [ ! -e "$root/tmp/apt-called" ]; then
	echo "PASS bare-again: a second make demo succeeds without apt"
else
	echo "FAIL bare-again: exit $status, apt: $(cat "$root/tmp/apt-called" 2>/dev/null)"; tail -n 20 "$work/again.log"; fail=1
fi
exit "$fail"
