#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ip_vs_wmh must build for the next kernel API before that kernel exists:
#   next-api.sh [--out DIR] [KVER...]
# For each kernel (default: the newest 6.1.* and 6.12.* with headers in
# /lib/modules/KVER/build) it makes a scratch copy of Debian's headers tree,
# edits include/net/ip_vs.h and include/uapi/linux/ip_vs.h the way the
# upstream 2026 series (Cc stable) does, and builds the module against it
# with W=1, sparse and -Werror:
#   - the IP_VS_DEST_F_OVERLOAD define is removed, from whichever of the two
#     headers has it (upstream: the UAPI one; Debian's availability backport
#     already moved it to include/net/ip_vs.h), so that a build still
#     reading dest->flags for overload cannot compile;
#   - "#define IP_VS_DEST_FL_OVERLOAD 1" and "unsigned long flags2;" in
#     struct ip_vs_dest are added.
# The build must succeed, Kbuild must have passed -DWMH_HAVE_DEST_FLAGS2 and
# modinfo's compat field must say overload=flags2; the unedited tree must
# say overload=flags. The copy is a tree of symlinks to the installed one,
# with the edited headers as real files: nothing under /usr/src is written.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kmod=$here/../../kmod
out=$here/../../build/kmod-next-api

die() {
	echo "next-api: $*" >&2
	exit 1
}

kvers=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) kvers+=("$1"); shift ;;
	esac
done
if [ ${#kvers[@]} -eq 0 ]; then
	for series in 6.1 6.12; do
		k=$(cd /lib/modules && ls -d "$series".*-amd64 2>/dev/null | sort -V | tail -n 1 || true)
		[ -n "$k" ] && [ -f "/lib/modules/$k/build/Makefile" ] ||
			die "no headers for $series in /lib/modules/$series.*-amd64/build (make deps)"
		kvers+=("$k")
	done
fi

# The scratch directory is removed and rewritten: only one this script made.
if [ -e "$out" ]; then
	[ -f "$out/.next-api" ] || die "$out exists and was not written by next-api.sh"
	rm -rf "$out"
fi
mkdir -p "$out"
touch "$out/.next-api"
out=$(cd "$out" && pwd)

# header_edit FILE: replace the symlink FILE by a real copy of its target.
header_edit() {
	local target
	target=$(readlink -f "$1")
	rm "$1"
	cp "$target" "$1"
}

# next_tree KVER DIR: DIR/build and DIR/common, the headers edited.
next_tree() {
	local build common dir=$2 h removed=0
	build=$(readlink -f "/lib/modules/$1/build")
	# Debian splits the headers: build/ (arch config, generated headers,
	# Module.symvers) has a Makefile that includes the -common tree's,
	# which holds include/ and is kbuild's srctree.
	common=$(sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$build/Makefile")
	[ -n "$common" ] && [ -f "$common/include/net/ip_vs.h" ] ||
		die "$build/Makefile does not include a tree with include/net/ip_vs.h"
	mkdir -p "$dir"
	cp -rs "$build" "$dir/build"
	cp -rs "$common" "$dir/common"
	rm "$dir/build/Makefile"
	echo "include $dir/common/Makefile" >"$dir/build/Makefile"

	for h in include/uapi/linux/ip_vs.h include/net/ip_vs.h; do
		header_edit "$dir/common/$h"
		if grep -q '^#define[[:space:]]*IP_VS_DEST_F_OVERLOAD\b' "$dir/common/$h"; then
			sed -i '/^#define[[:space:]]*IP_VS_DEST_F_OVERLOAD\b/d' "$dir/common/$h"
			removed=$((removed + 1))
			echo "next-api: $1: IP_VS_DEST_F_OVERLOAD removed from $h"
		fi
	done
	[ "$removed" -eq 1 ] || die "$1: IP_VS_DEST_F_OVERLOAD defined $removed times in the two headers, not once"

	h=$dir/common/include/net/ip_vs.h
	awk '
		/^struct ip_vs_dest \{/ {
			print "#define IP_VS_DEST_FL_OVERLOAD\t1\t\t/* server is overloaded */\n"
			indest = 1
		}
		{ print }
		indest && /^[[:space:]]*unsigned long[[:space:]]+cflags;/ {
			print "\tunsigned long\t\tflags2;\t\t/* IP_VS_DEST_FL_* bits */"
			added = 1
		}
		indest && /^};/ { indest = 0 }
		END { exit !added }
	' "$h" >"$h.new" || die "$1: no 'unsigned long cflags;' in struct ip_vs_dest"
	mv "$h.new" "$h"
	[ "$(grep -c 'IP_VS_DEST_FL_OVERLOAD\|flags2;' "$h")" -eq 2 ] ||
		die "$1: editing $h went wrong"
	# Nothing else may still define the old bit.
	if grep -rqs '#define[[:space:]]*IP_VS_DEST_F_OVERLOAD\b' "$dir/common/include" "$dir/build/include"; then
		die "$1: IP_VS_DEST_F_OVERLOAD is still defined in the edited tree"
	fi
}

# build KDIR OUT LOG: W=1, sparse, -Werror.
build() {
	nice -n 10 make -j1 -s -C "$kmod" KDIR="$1" OUT="$2" KCFLAGS=-Werror \
		WMH_DEBUG_AIDS=0 check >"$3" 2>&1 || {
		cat "$3" >&2
		die "build against $1 failed (log: $3)"
	}
}

# compat_of KO: modinfo's compat field.
compat_of() {
	modinfo -F compat "$1"
}

for k in "${kvers[@]}"; do
	dir=$out/$k
	mkdir -p "$dir"
	build "/lib/modules/$k/build" "$dir/stock" "$dir/stock.log"
	stock=$(compat_of "$dir/stock/ip_vs_wmh.ko")
	case " $stock " in
	*" overload=flags "*) ;;
	*) die "$k: unedited headers: modinfo compat is '$stock', expected overload=flags" ;;
	esac

	next_tree "$k" "$dir/tree"
	build "$dir/tree/build" "$dir/next" "$dir/next.log"
	grep -q -- '-DWMH_HAVE_DEST_FLAGS2' "$dir/next/.ip_vs_wmh_main.o.cmd" ||
		die "$k: Kbuild did not pass -DWMH_HAVE_DEST_FLAGS2 for the edited headers"
	next=$(compat_of "$dir/next/ip_vs_wmh.ko")
	case " $next " in
	*" overload=flags2 "*) ;;
	*) die "$k: edited headers: modinfo compat is '$next', expected overload=flags2" ;;
	esac
	echo "next-api: $k: unedited headers: $stock; next API (flags2): $next; W=1 and sparse clean"
done
echo "next-api: passed for ${kvers[*]}"
