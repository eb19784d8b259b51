# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # run, payload, cmp, sim, here: the sourcing script's
#
# Host-side checks of the whatif scenario (guest/scenario-whatif.sh, inputs
# from prepare-whatif.sh), sourced by compare.sh before its tally; uses its
# $run, $payload, $cmp, $sim, $here, result() and net_config (compare-net.sh).
# The guest held TCP connections open across a change under
# expire_nodest_conn=1 and saved ip_vs_conn before it, right after it and
# after a probe packet on every connection, and which probes were answered.
#
# whatif: `ipvs-sim whatif --list --json` on the rules and the table saved
#   before the change, with the change itself, the namespace's sysctls and
#   the marks nft set (the fwmark service's entries show the VIP),
#   gives every entry a verdict; the kernel must agree one for one: every
#   entry predicted to stay is in the table after the probe with the same
#   dest and its probe was answered, every entry predicted to break is gone
#   and its probe was not answered; no entry appears that was not there.
#   Both kinds must occur, and whatif's counts must equal the list's.
# whatif-changed: right after the change, before any packet, the table
#   already is what it is after the probes: under expire_nodest_conn=1 the
#   kernel (5.9 and later) expires a deleted server's entries from a work
#   queued by the deletion, and does not wait for a packet on each.
# whatif-control: the prediction from another change (other servers
#   deleted) must disagree with the kernel on some entries.
# whatif-new: the new connections after the change (the wmh clients'
#   addresses, other ports), predicted from the rules after it, every one
#   (flowgen check); whatif-new-moved: the share of those clients the kernel
#   gave another server than their connection before the change had must be
#   whatif's "new moved" for the service, exactly (wmh hashes the address).

# whatif_join JSON BEFORE AFTER PROBE RESENT: the verdicts against the
# kernel's tables; prints "OK detail" or "BAD detail" and the first
# differences. A TCP entry that stays must be kept with its dest and its
# probe answered, one that breaks gone and its probe unanswered; a UDP entry
# that stays kept with its dest, one rescheduled gone after the change and,
# once its datagram is sent again, on the dest whatif named (RESENT).
whatif_join() {
	python3 - "$@" <<'PY'
import ipaddress, json, sys

def table(path):
    out = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) < 8 or w[0] == "Pro":
                continue
            def ep(a, p):
                if len(a) == 8:
                    ip = str(ipaddress.IPv4Address(int(a, 16)))
                else:
                    ip = "[%s]" % ipaddress.IPv6Address(int(a.replace(":", ""), 16))
                return "%s:%d" % (ip, int(p, 16))
            out[(w[0], ep(w[1], w[2]), ep(w[3], w[4]))] = (ep(w[5], w[6]), w[7])
    return out

res = json.load(open(sys.argv[1]))
before, after, resent = table(sys.argv[2]), table(sys.argv[3]), table(sys.argv[5])
probe = {}
for line in open(sys.argv[4]):
    w = line.split()
    if len(w) == 3:
        probe[(w[0], w[1])] = w[2]
bad, n = [], {}
seen = set()
for c in res.get("connections", []):
    k = (c["protocol"], c["client"], c["vip"])
    seen.add(k)
    v = c["verdict"]
    n[v] = n.get(v, 0) + 1
    kept = k in after and after[k][0] == c["dest"]
    answered = probe.get((c["client"], c["vip"]))
    tcp = c["protocol"] == "TCP"
    if v == "stays":
        ok = kept and (answered == "ok" or not tcp)
    elif v == "breaks":
        ok = k not in after and answered in ("timeout", "reset") and tcp
    elif v == "rescheduled":
        ok = k not in after and k in resent and resent[k][0] == c.get("to")
    else:
        ok = False
    if not ok:
        bad.append("%s %s %s -> %s: predicted %s%s, kernel %s%s, probe %s" % (
            c["protocol"], c["client"], c["vip"], c["dest"], v,
            " to " + c["to"] if "to" in c else "",
            "kept on " + after[k][0] if k in after else "dropped",
            ", then on " + resent[k][0] if k in resent and not tcp else "", answered))
extra = [k for k in list(after) + list(resent) if k not in seen]
for k in extra[:5]:
    bad.append("%s %s %s: in the kernel's table after, not in the prediction" % k)
touched = {s["service"] for s in res["services"]}
counts = sum(s["broken"] + s["stayed"] + s["rescheduled"] for s in res["services"])
listed = sum(1 for c in res.get("connections", [])
             if c["service"] in touched and not c["template"]
             and c["verdict"] in ("stays", "breaks", "rescheduled"))
if len(before) != len(res.get("connections", [])):
    bad.append("%d entries before, %d judged" % (len(before), len(res.get("connections", []))))
if counts != listed:
    bad.append("whatif's counts (%d) differ from its list (%d)" % (counts, listed))
if not n.get("breaks") or not n.get("stays") or not n.get("rescheduled"):
    bad.append("the change must break some and keep some: %s" % n)
detail = ("%d entries: %d stay (kept, TCP probes answered), %d break (dropped, probes unanswered), "
          "%d UDP rescheduled (dropped, then on the dest predicted)") % (
    len(res.get("connections", [])), n.get("stays", 0), n.get("breaks", 0), n.get("rescheduled", 0))
if bad:
    print("BAD %d of %d disagree; %s" % (len(bad), len(res.get("connections", [])), "; ".join(bad[:5])))
else:
    print("OK " + detail)
PY
}

whatif_check() {
	local f=$run/files
	[ -f "$f/whatif-before.conn" ] || return 0
	if [ -z "$sim" ]; then
		result whatif SKIP "no simulator"
		return 0
	fi
	net_config whatif || return 0
	local sys=(--sysctl-file "$f/whatif.sysctl" --marks "$payload/net/whatif.marks") v
	if ! "$sim" whatif -c "$cmp/whatif.config" --conns "$f/whatif-before.conn" "${sys[@]}" \
		--change "$payload/cmds/whatif-change.ipvsadm" --list --json \
		>"$cmp/whatif.json" 2>"$cmp/whatif.err"; then
		result whatif FAIL "ipvs-sim whatif failed: $(head -c 300 "$cmp/whatif.err")"
		return 0
	fi
	"$sim" whatif -c "$cmp/whatif.config" --conns "$f/whatif-before.conn" "${sys[@]}" \
		--change "$payload/cmds/whatif-change.ipvsadm" >"$cmp/whatif.txt" 2>&1
	v=$(whatif_join "$cmp/whatif.json" "$f/whatif-before.conn" "$f/whatif-after.conn" "$f/whatif.probe" \
		"$f/whatif-resent.conn")
	case $v in
	OK*) result whatif PASS "${v#OK }" ;;
	*) result whatif FAIL "${v#BAD }" ;;
	esac
	# The director's own whatif, from the live configuration over netlink,
	# must give every entry the verdict the host's gives from the rules.
	if [ -f "$f/whatif-live.json" ]; then
		if python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def rows(d):
    return sorted(json.dumps(c, sort_keys=True) for c in d["connections"])
sys.exit(0 if rows(a) == rows(b) and len(rows(a)) > 0 else 1)
' "$f/whatif-live.json" "$cmp/whatif.json"; then
			result whatif-live PASS "ipvs-sim whatif on the director, from the live configuration over netlink: the same verdict for all $(grep -vc '^Pro' "$f/whatif-before.conn") entries"
		else
			result whatif-live FAIL "the live configuration's verdicts differ from the rules file's: $f/whatif-live.json, $cmp/whatif.json"
		fi
	fi
	# The same entries right after the change as after the probes.
	# shellcheck disable=SC2016 # an awk program
	local keys='$1 != "Pro" { print $1, $2, $3, $4, $5, $6, $7 }'
	if diff <(awk "$keys" "$f/whatif-changed.conn" | sort) <(awk "$keys" "$f/whatif-after.conn" | sort) \
		>"$cmp/whatif-changed.diff"; then
		result whatif-changed PASS "right after the change, before any packet, the table already was what it was after the probes ($(grep -vc '^Pro' "$f/whatif-changed.conn") of $(grep -vc '^Pro' "$f/whatif-before.conn") entries)"
	else
		result whatif-changed FAIL "the table right after the change differs from the one after the probes: $cmp/whatif-changed.diff"
	fi
	if "$sim" whatif -c "$cmp/whatif.config" --conns "$f/whatif-before.conn" "${sys[@]}" \
		--change "$payload/cmds/whatif-control.ipvsadm" --list --json \
		>"$cmp/whatif-control.json" 2>"$cmp/whatif-control.err"; then
		v=$(whatif_join "$cmp/whatif-control.json" "$f/whatif-before.conn" "$f/whatif-after.conn" \
			"$f/whatif.probe" "$f/whatif-resent.conn")
		case $v in
		BAD*) result whatif-control PASS "another change predicts otherwise: ${v#BAD }" ;;
		*) result whatif-control FAIL "another change's prediction agreed with the kernel: ${v#OK }" ;;
		esac
	else
		result whatif-control FAIL "ipvs-sim whatif failed: $(head -c 300 "$cmp/whatif-control.err")"
	fi
}
# whatif_moved JSON BEFORE NEW VIP FLOWS: "OK detail" when the share of
# the connections of VIP in BEFORE whose client address the entries of
# FLOWS' connections in NEW send to another server is whatif's.
whatif_moved() {
	python3 - "$@" <<'PY'
import ipaddress, json, sys
def entries(path, vip, only=None):
    out = []
    for line in open(path):
        w = line.split()
        if len(w) >= 8 and w[0] == "TCP" and w[3] + ":" + w[4] == vip and \
                (only is None or (w[1], w[2]) in only):
            out.append((w[1], w[5] + ":" + w[6]))
    return out
flows = set()
for line in open(sys.argv[5]):
    w = line.split()
    if len(w) < 4 or w[0].startswith("#"):
        continue
    ip, port = w[2].rsplit(":", 1)
    flows.add(("%08X" % int(ipaddress.IPv4Address(ip)), "%04X" % int(port)))
res = json.load(open(sys.argv[1]))
before = entries(sys.argv[2], sys.argv[4])
new = {}
new_entries = entries(sys.argv[3], sys.argv[4], flows)
split = 0  # one address sent to two servers: wmh hashes the address only
for ip, d in new_entries:
    split += ip in new and new[ip] != d
    new[ip] = d
svc = [s for s in res["services"] if s["service"] == "-t 10.0.50.1:80"][0]
want = svc["schedulers"][0]
common = [(ip, d) for ip, d in before if ip in new]
moved = sum(1 for ip, d in common if new[ip] != d)
have = moved / len(common) if common else -1
detail = "%d of %d connections' clients moved (%.2f%%), whatif said %.2f%% of %d" % (
    moved, len(common), 100 * have, 100 * (want["new_flows_moved"] or 0), want["new_flows"])
ok = len(common) == len(before) == want["new_flows"] and len(flows) == len(new_entries) and want["new_flows_moved"] is not None \
    and abs(have - want["new_flows_moved"]) < 1e-9 and moved > 0 and not split
print(("OK " if ok else "BAD ") + detail)
PY
}

whatif_new_check() {
	local f=$run/files n=whatif-new v line
	[ -f "$f/$n.conn" ] && [ -f "$cmp/whatif.json" ] || return 0
	net_config "$n" || return 0
	if ! "$sim" predict -c "$cmp/$n.config" --flows "$payload/flows/$n.flows" \
		>"$cmp/$n.predict" 2>"$cmp/$n.sim.err"; then
		result "$n" FAIL "ipvs-sim predict failed: $(head -c 300 "$cmp/$n.sim.err")"
		return 0
	fi
	if line=$("$flowgen" check --flows "$payload/flows/$n.flows" --predict "$cmp/$n.predict" \
		--conn "$f/$n.conn" --name "$n" --report "$cmp/$n.report" 2>"$cmp/$n.check.err"); then
		result "$n" PASS "${line#PASS }"
	else
		result "$n" FAIL "${line:-flowgen check: $(head -c 300 "$cmp/$n.check.err")}"
	fi
	v=$(whatif_moved "$cmp/whatif.json" "$f/whatif-before.conn" "$f/$n.conn" 0A003201:0050 "$payload/flows/$n.flows")
	case $v in
	OK*) result whatif-new-moved PASS "${v#OK }" ;;
	*) result whatif-new-moved FAIL "${v#BAD }" ;;
	esac
}

whatif_check
whatif_new_check
