#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every long option a program's --help lists must appear in its man page:
#   options.sh PROGRAM MANPAGE [SUBCOMMAND...]
# The options come from `PROGRAM --help` and, for each SUBCOMMAND,
# `PROGRAM SUBCOMMAND --help`; the man page is roff, where "--name" is
# written "\-\-name" (both spellings count). Prints the missing ones and
# exits 1 if any is missing, 2 on a usage error.
set -euo pipefail

if [ $# -lt 2 ]; then
	sed -n '4,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
prog=$1
man=$2
shift 2
[ -x "$prog" ] || { echo "options.sh: $prog is not executable" >&2; exit 2; }
[ -f "$man" ] || { echo "options.sh: no man page $man" >&2; exit 2; }

# Long options at the start of a help line ("  -c,--config TEXT",
# "  --strict", CLI11's layout) or in brackets of a usage line
# ("usage: ipvs-snapshot [--format ipvsadm|json] [-o FILE]").
long_options() {
	"$@" --help | sed -n \
		-e 's/^ \{1,\}\(-[A-Za-z0-9],\)\{0,1\}\(--[a-z0-9][a-z0-9-]*\).*/\2/p' \
		-e '/^[Uu]sage:/{s/[^[]*\[\(--[a-z0-9][a-z0-9-]*\)[^[]*/\1\n/g;p}' |
		grep -- '^--' || true
}

opts=$( {
	long_options "$prog"
	for sub in "$@"; do long_options "$prog" "$sub"; done
} | sort -u)
[ -n "$opts" ] || { echo "options.sh: $prog --help lists no long options" >&2; exit 2; }

# The page with roff's escaped hyphens turned back into plain ones.
text=$(sed 's/\\-/-/g' "$man")
missing=()
for o in $opts; do
	[ "$o" = --help ] && continue
	grep -q -e "$o\\b" <<<"$text" || missing+=("$o")
done
n=$(wc -w <<<"$opts")
if [ ${#missing[@]} -gt 0 ]; then
	echo "options.sh: $(basename "$man") lacks ${#missing[@]} of $n options: ${missing[*]}"
	exit 1
fi
echo "options.sh: $(basename "$man") names all $n options of $(basename "$prog")"
