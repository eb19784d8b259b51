#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks the comparator without a VM and without the simulator:
#   selftest.sh --flowgen BIN [--keep DIR]
# Builds a fake guest run (rules, flow lists, an ip_vs_conn dump written from
# a known assignment) and a fake `ipvs-sim` that prints a given prediction,
# then runs compare.sh: the right prediction must PASS, and a wrong dest, a
# missing entry, an entry where '-' was predicted and rules that do not match
# must each FAIL with the right complaint. A burst served by wmh as mh must
# be predicted with --wmh-sched-name mh, and must FAIL if the in-tree model
# (the prediction without it) agrees with the kernel on every flow. What
# keepalived configured from a sample must equal the simulator's reading of
# it: dests in another order or another weight FAIL. A scenario predicted
# as one history (thresh: four bursts, one run, start times shifted) must
# PASS each burst against its slice, FAIL only the burst whose slice is
# wrong, and FAIL thresh-overload when the kernel's counts leave the design.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
VM_USAGE="--flowgen BIN [--keep DIR]"
# shellcheck source=lib.sh
. "$here/lib.sh"
flowgen=
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--flowgen) flowgen=${2:?}; shift 2 ;;
	--keep) keep=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
[ -x "$flowgen" ] || die "flowgen not found at '$flowgen'"
for tool in awk:gawk gzip:gzip base64:coreutils; do
	need_tool "${tool%:*}" "${tool#*:}"
done

if [ -n "$keep" ]; then
	dir=$keep
	rm -rf "$dir"
	mkdir -p "$dir"
else
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi
payload=$dir/payload
run=$dir/run
mkdir -p "$payload/flows" "$run/files"

"$flowgen" gen --vip 10.0.9.1:53 --clients 10.99.0.0/16 --count 300 --seed 5 \
	-o "$payload/flows/fake-u4.flows"
"$flowgen" gen --vip '[fd00::9:1]:80' --clients fd00:99::/64 --count 200 --proto tcp \
	--seed 6 -o "$payload/flows/fake-t6.flows"
echo "fake fake-u4,fake-t6 65537 (null) N N wmh" >"$run/bursts.txt"

cat >"$run/files/fake.ln" <<'LN'
IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
UDP  10.0.9.1:53 wmh
  -> 172.30.0.2:53                Masq    5      0          0
  -> 172.30.0.1:53                Masq    1      0          0
TCP  [fd00::9:1]:80 wmh (flag-2)
  -> [fd00:2::9:1]:80             Masq    3      0          0
LN
cat >"$run/files/fake.sn" <<'SN'
-A -t [fd00::9:1]:80 -s wmh -b flag-2
-a -t [fd00::9:1]:80 -r [fd00:2::9:1]:80 -m -w 3
-A -u 10.0.9.1:53 -s wmh
-a -u 10.0.9.1:53 -r 172.30.0.1:53 -m -w 1
-a -u 10.0.9.1:53 -r 172.30.0.2:53 -m -w 5
SN

# The truth: IPv4 flow i goes to 172.30.0.(1 + i % 2), the IPv6 flows to
# [fd00:2::9:1]:80, except every 50th IPv6 flow, which gets none.
cat "$payload/flows/fake-u4.flows" "$payload/flows/fake-t6.flows" | awk '
	/^#/ { next }
	{
		i++
		c = $3; v = $4
		if (c ~ /^\[/) d = (i % 50 == 0) ? "-" : "[fd00:2::9:1]:80"
		else d = "172.30.0." (1 + i % 2) ":53"
		print c, v, d
	}' >"$dir/truth.predict"

# ip_vs_conn lines from the truth, in the kernel format.
awk '
	function hex4(a,   n, q) {
		n = split(a, q, ".")
		return sprintf("%02X%02X%02X%02X", q[1], q[2], q[3], q[4])
	}
	function full6(a,   n, g, h, i, j, out, left, right, nl, nr) {
		# expand "x::y" to eight groups of four hex digits
		if (index(a, "::")) {
			left = substr(a, 1, index(a, "::") - 1)
			right = substr(a, index(a, "::") + 2)
			nl = (left == "") ? 0 : split(left, l, ":")
			nr = (right == "") ? 0 : split(right, r, ":")
			n = 0
			for (i = 1; i <= nl; i++) g[++n] = l[i]
			for (i = 0; i < 8 - nl - nr; i++) g[++n] = "0"
			for (i = 1; i <= nr; i++) g[++n] = r[i]
		} else {
			n = split(a, g, ":")
		}
		out = ""
		for (i = 1; i <= 8; i++) {
			h = g[i]
			while (length(h) < 4) h = "0" h
			out = out (i > 1 ? ":" : "") h
		}
		return out
	}
	function ep(s, hexaddr,   a, p) {
		if (s ~ /^\[/) {
			a = substr(s, 2, index(s, "]") - 2)
			p = substr(s, index(s, "]:") + 2)
			return full6(a) " " sprintf("%04X", p)
		}
		a = substr(s, 1, index(s, ":") - 1)
		p = substr(s, index(s, ":") + 1)
		return hex4(a) " " sprintf("%04X", p)
	}
	BEGIN { print "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData" }
	$3 != "-" {
		pro = ($1 ~ /^\[/) ? "TCP" : "UDP"
		st = (pro == "TCP") ? "SYN_RECV   " : "UDP        "
		print pro, ep($1), ep($2), ep($3), st, "     59"
	}' "$dir/truth.predict" >"$run/files/fake.conn.good"
# An entry of another burst, which must be ignored.
echo "UDP 0A630101 0401 0A000901 0035 AC1E0001 0035 UDP             299" >>"$run/files/fake.conn.good"

cat >"$dir/fake-sim" <<'SIM'
#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stands in for ipvs-sim: checks the arguments, prints $FAKE_PREDICT, or
# $FAKE_MODEL (if set) when --wmh-sched-name is absent: the in-tree model.
set -euo pipefail
if [ "$1" = config ]; then
	# ipvs-sim config --config FILE --config-format keepalived: $FAKE_CONFIG.
	[ "$2" = --config ] && [ -s "$3" ] || { echo "fake-sim: config needs --config FILE" >&2; exit 2; }
	cat "$FAKE_CONFIG"
	exit 0
fi
[ "$1" = predict ] || { echo "fake-sim: expected predict or config" >&2; exit 2; }
shift
sched_name=
flows=
udp_timeout=
while [ $# -gt 0 ]; do
	case $1 in
	--config) [ -s "$2" ] || { echo "fake-sim: empty config" >&2; exit 2; }; shift 2 ;;
	--flows) [ -s "$2" ] || { echo "fake-sim: empty flows" >&2; exit 2; }; flows=$2; shift 2 ;;
	--wmh-sched-name) sched_name=$2; shift 2 ;;
	--wmh-table-size|--wmh-hash-key) shift 2 ;;
	--wmh-port-hash|--wmh-overflow) shift ;;
	--timeline|--sysctl|--sysctl-file) [ -n "$2" ] || exit 2; shift 2 ;;
	--udp-timeout) udp_timeout=$2; shift 2 ;;
	--tcp-no-close) shift ;;
	*) echo "fake-sim: unknown option $1" >&2; exit 2 ;;
	esac
done
case $flows in
*.history.flows)
	# One run over a scenario's bursts: starts must not decrease and the
	# UDP timeout must be the guest's (thresh-set.ipvsadm).
	[ "$udp_timeout" = 10 ] || { echo "fake-sim: --udp-timeout '$udp_timeout'" >&2; exit 2; }
	awk '$1 < last { print "fake-sim: start " $1 " after " last > "/dev/stderr"; exit 1 } { last = $1 }' "$flows"
	cat "$FAKE_HISTORY"
	exit 0
	;;
esac
if [ -z "$sched_name" ] && [ -n "${FAKE_MODEL:-}" ]; then
	cat "$FAKE_MODEL"
else
	cat "$FAKE_PREDICT"
fi
SIM
chmod +x "$dir/fake-sim"

failures=0
# expect NAME WANT_STATUS PATTERN: runs compare.sh on the current fakes.
expect() {
	local status=0
	FAKE_PREDICT=$dir/predict FAKE_HISTORY=$dir/history.predict FAKE_MODEL=${FAKE_MODEL:-} FAKE_CONFIG=${FAKE_CONFIG:-} SIM=$dir/fake-sim "$here/compare.sh" "$run" "$payload" \
		--flowgen "$flowgen" >"$dir/$1.out" 2>&1 || status=$?
	if [ "$status" -ne "$2" ]; then
		echo "selftest: $1: compare.sh exited $status, expected $2" >&2
		cat "$dir/$1.out" >&2
		failures=$((failures + 1))
	elif ! grep -q -- "$3" "$dir/$1.out" "$run/compare/"*.mismatches 2>/dev/null; then
		echo "selftest: $1: output lacks '$3'" >&2
		cat "$dir/$1.out" >&2
		failures=$((failures + 1))
	else
		echo "selftest: $1: ok"
	fi
}

cp "$dir/truth.predict" "$dir/predict"
cp "$run/files/fake.conn.good" "$run/files/fake.conn"
expect right 0 'fake PASS flows=500 agree=500'

awk 'NR == 17 { $3 = "172.30.0.9:53" } { print }' "$dir/truth.predict" >"$dir/predict"
expect wrong-dest 1 'MISMATCH'

cp "$dir/truth.predict" "$dir/predict"
awk 'NR != 40' "$run/files/fake.conn.good" >"$run/files/fake.conn"
expect missing-entry 1 'MISSING'

awk '/fd00/ && !done { $3 = "-"; done = 1 } { print }' "$dir/truth.predict" >"$dir/predict"
cp "$run/files/fake.conn.good" "$run/files/fake.conn"
expect unexpected-entry 1 'UNEXPECTED'

cp "$dir/truth.predict" "$dir/predict"
head -n -1 "$dir/truth.predict" >"$dir/predict"
expect short-prediction 1 'predictions for the 500 flows'

cp "$dir/truth.predict" "$dir/predict"
cp "$run/files/fake.sn" "$dir/sn.good"
sed -i '$d' "$run/files/fake.sn"
expect rules-differ 1 'rules not understood'
cp "$dir/sn.good" "$run/files/fake.sn"

# A sample keepalived ran: its dump must equal the simulator's reading of
# the sample, service by service, each service's dests in order.
mkdir -p "$payload/keepalived/samples"
echo "virtual_server 10.0.9.1 53 { }" >"$payload/keepalived/samples/keepalived.conf.x"
cp "$run/files/fake.ln" "$run/files/ka-sample-x.ln"
cp "$run/files/fake.sn" "$run/files/ka-sample-x.sn"
# (services in another order than the kernel's hash order: that is fine)
"$here/nosort-config.sh" "$run/files/fake.ln" "$run/files/fake.sn" |
	awk '$1 == "-A" { n++ } { block[n] = block[n] $0 "\n" }
		END { for (i = n; i >= 1; i--) printf "%s", block[i] }' >"$dir/sample.config"
FAKE_CONFIG=$dir/sample.config expect sample-right 0 'ka-sample-x PASS 2 services, 3 real servers'
# Same dests in another order: mh and sh would decide differently.
awk '/172.30.0.1:53/ { held = $0; next } { print } /172.30.0.2:53/ { print held }' \
	"$dir/sample.config" >"$dir/sample-order.config"
FAKE_CONFIG=$dir/sample-order.config expect sample-order 1 'keepalived and the simulator differ'
sed 's/-w 5$/-w 4/' "$dir/sample.config" >"$dir/sample-weight.config"
FAKE_CONFIG=$dir/sample-weight.config expect sample-weight 1 'keepalived and the simulator differ'
rm -f "$run/files/ka-sample-x.ln" "$run/files/ka-sample-x.sn"

# Drop-in: the burst says wmh ran as mh. The in-tree model moves one flow.
echo "fake fake-u4,fake-t6 65537 (null) N N mh" >"$run/bursts.txt"
awk 'NR == 5 { $3 = ($3 == "172.30.0.1:53") ? "172.30.0.2:53" : "172.30.0.1:53" } { print }' \
	"$dir/truth.predict" >"$dir/model.predict"
cp "$dir/truth.predict" "$dir/predict"
# (PASS also shows compare.sh passed --wmh-sched-name mh: without it the
# fake prints the model, which mismatches.)
FAKE_MODEL=$dir/model.predict expect dropin-right 0 'fake-vs-mh PASS 1 of 500 kernel decisions differ'
# A model that agrees everywhere shows nothing: FAIL.
cp "$dir/truth.predict" "$dir/predict"
FAKE_MODEL=$dir/truth.predict expect dropin-model-same 1 'cannot tell wmh from mh'
echo "fake fake-u4,fake-t6 65537 (null) N N wmh" >"$run/bursts.txt"

# A scenario predicted as one history (thresh): four bursts, one
# prediction over all of them (starts shifted), each burst checked against
# its slice; the threshold dest's entry counts must follow the design.
mkdir -p "$payload/cmds"
printf '%s\n' "--set 0 0 10" >"$payload/cmds/thresh-set.ipvsadm"
echo "-A -u 10.0.14.1:53 -s rr" >"$payload/cmds/thresh.ipvsadm"
: >"$run/files/thresh.sn"
: >"$run/files/thresh.ln"
: >"$dir/history.predict"
for p in 1 2 3 4; do
	set -- "30 33 15 18" "36 33 51 51" "30 36 30 30" "30 30 30 30"
	eval "n=\${$p}"
	# shellcheck disable=SC2154 # n is set by eval
	awk -v p="$p" -v n="$n" 'BEGIN {
		split(n, cnt, " ")
		for (i = 1; i <= 4; i++)
			for (k = 0; k < cnt[i]; k++)
				printf "0 udp 10.99.%d.%d:%d 10.0.14.%d:53\n", 20 + i, 1 + k % 50,
					30000 + 1000 * p + k, i
	}' >"$payload/flows/thresh-p$p.flows"
	# the truth: the design's count of flows on dest .1, the rest on .2
	set -- "10 11 5 6" "10 9 15 15" "0 11 0 6" "10 0 10 10"
	eval "want=\${$p}"
	# shellcheck disable=SC2154
	awk -v want="$want" '{
		split($4, v, "[.:]"); s = v[4] + 0
		if (s != last) { k = 0; last = s }
		split(want, w, " ")
		d = (k++ < w[s]) ? 1 : 2
		print $3, $4, "172.25." s "." d ":53"
	}' "$payload/flows/thresh-p$p.flows" >"$dir/thresh-p$p.truth"
	cat "$dir/thresh-p$p.truth" >>"$dir/history.predict"
	awk 'BEGIN { print "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData" }
		function ep(s,   q) { split(s, q, "[.:]"); return sprintf("%02X%02X%02X%02X %04X", q[1], q[2], q[3], q[4], q[5]) }
		{ print "UDP", ep($1), ep($2), ep($3), "UDP        ", "      9" }' \
		"$dir/thresh-p$p.truth" >"$run/files/thresh-p$p.conn"
	cp "$run/files/fake.ln" "$run/files/thresh-p$p.ln"
	cp "$run/files/fake.sn" "$run/files/thresh-p$p.sn"
	echo "thresh-p$p thresh-p$p 65537 (null) N N wmh" >>"$run/bursts.txt"
done
cp "$dir/truth.predict" "$dir/predict"
cp "$dir/history.predict" "$dir/history.good"
expect history-right 0 'thresh-p4 PASS flows=120 agree=120 .*(one prediction for all of thresh)'
expect history-property 0 'thresh-overload PASS'
# A wrong dest in the third burst's slice fails that burst only.
awk -v l=$((96 + 171 + 5)) 'NR == l { sub(/\.[12]:53$/, ".3:53", $3) } { print }' \
	"$dir/history.good" >"$dir/history.predict"
expect history-wrong-dest 1 'thresh-p3 FAIL flows=126 agree=125 mismatch=1'
expect history-others-pass 1 'thresh-p2 PASS flows=171 agree=171'
# The kernel put one more entry on the threshold dest than designed (and
# the prediction agrees): the bursts pass, the overload design fails.
sed -i '2s/AC190101 0035/AC190102 0035/' "$run/files/thresh-p1.conn"
awk 'NR == 1 { sub(/\.1:53$/, ".2:53", $3) } { print }' "$dir/history.good" >"$dir/history.predict"
expect history-design 1 'thresh-overload FAIL'
rm -f "$run"/files/thresh*
sed -i '/^thresh-p/d' "$run/bursts.txt"

# The guest's dmesg pattern: every kind of report matches, the debug
# kernel's clean boot lines (lockdep, KASAN and kmemleak announcing
# themselves) do not.
pattern=$(sed -n "s/^DMESG_BAD='\(.*\)'$/\1/p" "$here/guest/lib.sh")
[ -n "$pattern" ] || { echo "selftest: no DMESG_BAD in guest/lib.sh" >&2; failures=$((failures + 1)); }
while IFS= read -r line; do
	if ! printf '%s\n' "$line" | grep -q -E "$pattern"; then
		echo "selftest: FAIL dmesg report not caught: $line" >&2
		failures=$((failures + 1))
	fi
done <<'EOF_REPORTS'
WARNING: possible circular locking dependency detected
WARNING: possible recursive locking detected
WARNING: inconsistent lock state
WARNING: suspicious RCU usage
INFO: trying to register non-static key.
BUG: KASAN: slab-use-after-free in wmh_schedule+0x4c/0x1f0 [ip_vs_wmh]
BUG: sleeping function called from invalid context at mm/slab.h:493
ODEBUG: free active (active state 0) object: 000000001c2a9b3e object type: rcu_head hint: 0x0
INFO: task kworker/0:1:12 blocked for more than 120 seconds.
rcu: INFO: rcu_preempt self-detected stall on CPU
turning off the locking correctness validator.
UBSAN: shift-out-of-bounds in net/netfilter/ipvs/ip_vs_mh.c:120:5
------------[ cut here ]------------ WARNING: CPU: 0 PID: 1 at kernel/rcu/tree.c:1 x
EOF_REPORTS
while IFS= read -r line; do
	if printf '%s\n' "$line" | grep -q -E "$pattern"; then
		echo "selftest: FAIL clean boot line taken for a report: $line" >&2
		failures=$((failures + 1))
	fi
done <<'EOF_CLEAN'
rcu: 	RCU lockdep checking is enabled.
Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar
... MAX_LOCKDEP_SUBCLASSES:  8
kasan: KernelAddressSanitizer initialized
kmemleak: Kernel memory leak detector initialized (mem pool available: 15741)
Kernel command line: console=ttyS0 panic=-1 panic_on_warn=1 oops=panic softlockup_panic=1 quiet loglevel=3
EOF_CLEAN

if [ "$failures" -ne 0 ]; then
	echo "selftest: $failures checks failed" >&2
	exit 1
fi
echo "selftest: comparator passes the right prediction and fails every wrong one"
