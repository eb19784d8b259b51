#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots one kernel with a test initramfs under QEMU (KVM or TCG) and collects the
# result channel:
#   run.sh KVER OUTDIR --initrd FILE [--timeout SECONDS] [--mem SIZE]
#          [--kernel FILE] [--smp N]
# --kernel boots FILE instead of /boot/vmlinuz-KVER (the debug kernel);
# --smp gives the guest N CPUs (default 1).
# The guest's console goes to OUTDIR/console.log (kept for people; never
# parsed), the second serial port to OUTDIR/channel.log, which is split into
#   OUTDIR/results.txt  the RESULT lines
#   OUTDIR/bursts.txt   the BURST lines
#   OUTDIR/files/NAME   the framed files (NAME.gz.b64 ones decoded to NAME)
# Exit status 0 only if the guest reached DONE, every file arrived whole and
# every RESULT is PASS. A guest that hangs is killed after the timeout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
VM_USAGE="KVER OUTDIR --initrd FILE [--timeout SECONDS] [--mem SIZE] [--kernel FILE] [--smp N]"
# shellcheck source=lib.sh
. "$here/lib.sh"

[ $# -ge 2 ] || usage
kver=$1
out=$2
shift 2
initrd=
timeout=300
mem=1G
kernel=/boot/vmlinuz-$kver
smp=1
while [ $# -gt 0 ]; do
	case $1 in
	--initrd) initrd=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -f "$initrd" ] || die "initramfs '$initrd' not found (build it with mkinitramfs.sh)"
need_tool qemu-system-x86_64 qemu-system-x86
accel=${VM_ACCEL:-$(vm_accel "$kernel")}

mkdir -p "$out"
rm -rf "$out/files" "$out/console.log" "$out/channel.log" "$out/results.txt" "$out/bursts.txt"
mkdir -p "$out/files"

# KVM where it works (vm_accel probes it; VM_ACCEL=tcg|kvm overrides),
# software emulation otherwise: on the build machine KVM aborts. -cpu max
# gives the guest SSE4.2 and friends, so crc32c-intel loads as on real
# hardware.
t0=$(date +%s.%N)
status=0
timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
	-accel "$accel" -cpu max -m "$mem" -smp "$smp" -nographic -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 panic_on_warn=1 oops=panic softlockup_panic=1 quiet loglevel=3" \
	-monitor none -serial "file:$out/console.log" -serial "file:$out/channel.log" \
	</dev/null >"$out/qemu.log" 2>&1 || status=$?
t1=$(date +%s.%N)
elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "run.sh: $kver: QEMU ($accel) exited with status $status after $elapsed s"
echo "$elapsed" >"$out/elapsed"

fail=0
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	echo "run.sh: $kver: guest killed after the ${timeout}s timeout; console in $out/console.log" >&2
	fail=1
elif [ "$status" -ne 0 ]; then
	echo "run.sh: $kver: QEMU failed ($status): $(head -c 500 "$out/qemu.log")" >&2
	fail=1
fi
[ -f "$out/channel.log" ] || : >"$out/channel.log"

# Split the channel. Files are framed as FILE NAME SIZE ... ENDFILE NAME;
# the sizes are checked below.
awk -v dir="$out/files" -v res="$out/results.txt" -v bur="$out/bursts.txt" '
	infile {
		if ($0 == "ENDFILE " name) { close(path); infile = 0; next }
		print > path
		next
	}
	/^FILE [^ \/]+ [0-9]+$/ {
		name = $2; path = dir "/" name; infile = 1
		printf "" > path
		print name, $3 > (dir "/.sizes")
		next
	}
	/^RESULT / { print > res; next }
	/^BURST / { print substr($0, 7) > bur; next }
	/^DONE$/ { print "done" > (dir "/.done"); next }
	/^KERNEL / { print $2 > (dir "/.kernel"); next }
	{ print "run.sh: unexpected channel line " NR ": " substr($0, 1, 80) > "/dev/stderr"; bad = 1 }
	END {
		if (infile) print "run.sh: channel ends inside file " name > "/dev/stderr"
		exit (bad || infile)
	}' "$out/channel.log" || fail=1
touch "$out/results.txt" "$out/bursts.txt" "$out/files/.sizes"

while read -r name size; do
	got=$(wc -c <"$out/files/$name")
	if [ "$got" -ne "$size" ]; then
		echo "run.sh: $kver: file $name: $got bytes arrived, $size sent" >&2
		fail=1
		continue
	fi
	case $name in
	*.gz.b64)
		if ! base64 -d "$out/files/$name" | gunzip >"$out/files/${name%.gz.b64}"; then
			echo "run.sh: $kver: file $name does not decode" >&2
			fail=1
		fi
		rm -f "$out/files/$name"
		;;
	esac
done <"$out/files/.sizes"

if [ ! -f "$out/files/.done" ]; then
	echo "run.sh: $kver: the guest never reported DONE; last console lines:" >&2
	grep -a -v -E '^(SeaBIOS|iPXE|Press Ctrl-B|Booting from)' "$out/console.log" | tail -n 25 >&2 || true
	fail=1
fi
npass=$(awk '$3 == "PASS"' "$out/results.txt" | wc -l)
nfail=$(awk '$3 != "PASS"' "$out/results.txt" | wc -l)
if [ "$nfail" -gt 0 ]; then
	echo "run.sh: $kver: failed guest cases:" >&2
	awk '$3 != "PASS"' "$out/results.txt" >&2
	fail=1
fi
echo "run.sh: $kver: $npass guest cases passed, $nfail failed, $(wc -l <"$out/bursts.txt") bursts collected"
exit "$fail"
