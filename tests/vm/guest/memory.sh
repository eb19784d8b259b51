#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# memory (bench-memory.sh only, not part of make check): the kernel memory
# that thousands of services take under each scheduler setting. For every
# line "NAME SCHED [PARAM...]" of /data/memory/plan: ip_vs_wmh is reloaded
# with the PARAMs (SCHED wmh only), /data/memory/services.ipvsadm (ipvsadm
# -R input, "-s SCHED" on every -A) is restored with SCHED, /proc/meminfo
# is read before and after, and the services are cleared. A line
# "check A <= B" compares two earlier settings' Slab + VmallocUsed growth
# per service (RESULT memory-check-A-B). Run by scenario.sh in the
# scenario's own network namespace; writes memory.txt.
# shellcheck source=lib.sh
. /test/lib.sh

MEM=$DATA/memory
OUT=/tmp/memory.txt

# meminfo FIELD: its value in kB.
meminfo() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# snapshot: "MemFree Slab SUnreclaim VmallocUsed Percpu" in kB, once freed
# tables have had their RCU grace periods (two readings 1 s apart agree on
# Slab + VmallocUsed within 64 kB, or 10 s passed).
snapshot() {
	_prev=-1
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		sleep 1
		_cur=$(($(meminfo Slab) + $(meminfo VmallocUsed)))
		_d=$((_cur - _prev))
		[ "$_d" -lt 0 ] && _d=$((-_d))
		[ "$_d" -le 64 ] && break
		_prev=$_cur
	done
	echo "$(meminfo MemFree) $(meminfo Slab) $(meminfo SUnreclaim) $(meminfo VmallocUsed) $(meminfo Percpu)"
}

# reload PARAM...: ip_vs_wmh with these parameters (it serves no service).
reload() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -d /sys/module/ip_vs_wmh ] || break
		rmmod ip_vs_wmh 2>/tmp/rmmod.err || sleep 1
	done
	# shellcheck disable=SC2068 # the parameters are separate words
	insmod "$WMH_KO" $@ 2>/tmp/insmod.err
}

nsvc=$(grep -c '^-A ' "$MEM/services.ipvsadm")
ndest=$(grep -c '^-a ' "$MEM/services.ipvsadm")
echo "# services $nsvc dests $ndest kernel $KVER" >"$OUT"
echo "# name sched params restore_s services d_memfree_kb d_slab_kb d_sunreclaim_kb d_vmalloc_kb d_percpu_kb" >>"$OUT"
# check A B: A's growth per service is at most B's.
check() {
	_a=$(awk -v n="$1" '$1 == n { printf "%.1f", ($7 + $9) / $5 }' "$OUT")
	_b=$(awk -v n="$2" '$1 == n { printf "%.1f", ($7 + $9) / $5 }' "$OUT")
	if [ -z "$_a" ] || [ -z "$_b" ]; then
		result "memory-check-$1-$2" FAIL "no measurement of $1 or $2"
	elif awk -v a="$_a" -v b="$_b" 'BEGIN { exit !(a <= b) }'; then
		result "memory-check-$1-$2" PASS "$1 $_a kB <= $2 $_b kB per service"
	else
		result "memory-check-$1-$2" FAIL "$1 $_a kB > $2 $_b kB per service"
	fi
}

while read -r name sched params; do
	case $name in "" | "#"*) continue ;; esac
	if [ "$name" = check ]; then
		# shellcheck disable=SC2086 # "A <= B"
		set -- $sched $params
		check "$1" "$3"
		continue
	fi
	if [ "$sched" = wmh ]; then
		# shellcheck disable=SC2086 # params are separate words
		if ! reload $params; then
			result "memory-$name" FAIL "insmod ip_vs_wmh.ko $params: $(cat /tmp/insmod.err)"
			continue
		fi
	fi
	sed "s/ -s SCHED/ -s $sched/" "$MEM/services.ipvsadm" >/tmp/services.ipvsadm
	read -r f0 s0 u0 v0 p0 <<EOF
$(snapshot)
EOF
	t0=$(now)
	if ! ipvsadm -R </tmp/services.ipvsadm 2>/tmp/restore.err; then
		result "memory-$name" FAIL "ipvsadm -R: $(head -c 300 /tmp/restore.err)"
		ipvsadm -C
		continue
	fi
	t1=$(now)
	read -r f1 s1 u1 v1 p1 <<EOF
$(snapshot)
EOF
	got=$(ipvsadm -Sn | grep -c '^-A ')
	restore=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
	line="$name $sched ${params:--} $restore $got $((f0 - f1)) $((s1 - s0)) $((u1 - u0)) $((v1 - v0)) $((p1 - p0))"
	echo "$line" >>"$OUT"
	per=$(echo "$s0 $s1 $v0 $v1 $got" | awk '{ printf "%.1f", ($2 - $1 + $4 - $3) / $5 }')
	if [ "$got" -eq "$nsvc" ]; then
		result "memory-$name" PASS "$got services: Slab +$((s1 - s0)) kB, VmallocUsed +$((v1 - v0)) kB, $per kB per service; restore $restore s"
	else
		result "memory-$name" FAIL "$got of $nsvc services restored"
	fi
	ipvsadm -C
done <"$MEM/plan"
emit_file memory.txt "$OUT"
