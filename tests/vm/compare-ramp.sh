# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # run, cmp: the sourcing script's
#
# Host-side checks of the ramp scenario (guest/scenario-ramp.sh, inputs from
# prepare-ramp.sh), sourced by compare.sh before its tally. compare.sh has
# already held every burst ramp-0..ramp-N against ipvs-sim predict, flow by
# flow; here each step K's moves are measured from the kernel's decisions:
# the probe flows of burst ramp-(K-1) and ramp-K whose real server differs,
# per service.
#   ramp-moves-K-VIP  for a step within the bound b (--max-remap, from the
#                     step's JSON): measured share <= b + 3 sqrt(b(1-b)/n),
#                     n the service's probe flows (1000: 3 sigma is 2.1
#                     points at 5%); for a step marked over the bound, the
#                     measured share within 4 sigma of the share the plan
#                     states; for a service the step leaves alone, no move.
#   ramp-moves        every step's file was there (ramp-step-K.json for
#                     K = 1.. and both bursts)
#   ramp-moves-control-VIP  burst ramp-0 against ramp-N, the whole change
#                     at once: more than the bound plus 3 sigma, so that a
#                     step moving as much would fail its check
ramp_moves() {
	local files=$run/files
	[ -f "$files/ramp-plan.json" ] || return 0
	python3 - "$files" <<'PY' >"$cmp/ramp-moves.txt" 2>&1 || echo "ramp-moves FAIL the check crashed: $(tail -n 1 "$cmp/ramp-moves.txt")" >>"$cmp/ramp-moves.txt"
import json, math, os, sys

files = sys.argv[1]


def conns(name):
    """(proto, client, vip) -> dest of one burst's ip_vs_conn lines."""
    out = {}
    with open(os.path.join(files, name + ".conn")) as f:
        for line in f:
            p = line.split()
            if len(p) < 8 or p[0] == "Pro":
                continue
            out[(p[0], p[1], p[2], p[3], p[4])] = (p[5], p[6])
    return out


def vip_key(svc):
    """'-u 10.0.50.1:53' as ip_vs_conn writes the VIP: ('0A003201', '0035')."""
    addr, port = svc.split()[1].rsplit(":", 1)
    return ("%02X%02X%02X%02X" % tuple(int(x) for x in addr.split(".")), "%04X" % int(port))


plan = json.load(open(os.path.join(files, "ramp-plan.json")))
services = {s["service"] for st in plan["steps"] for s in st["services"]}
n_steps = len(plan["steps"])
ok_files = True
for k in range(1, n_steps + 1):
    path = os.path.join(files, "ramp-step-%d.json" % k)
    if not all(os.path.exists(os.path.join(files, b + ".conn")) for b in ("ramp-%d" % (k - 1), "ramp-%d" % k)) or not os.path.exists(path):
        print("ramp-moves-%d FAIL the guest did not return step %d's JSON and both bursts" % (k, k))
        ok_files = False
        break
    step = json.load(open(path))
    bound = step["max_remap"]
    applied = {s["service"]: s for s in step["steps"][0]["services"]}
    before, after = conns("ramp-%d" % (k - 1)), conns("ramp-%d" % k)
    for svc in sorted(services):
        vip = vip_key(svc)
        keys = [key for key in before if key[3:5] == vip and key in after]
        n = len(keys)
        moved = sum(before[key] != after[key] for key in keys)
        case = "ramp-moves-%d-%s" % (k, svc.split()[1])
        if n < 100:
            print("%s FAIL only %d probe flows in both bursts" % (case, n))
            continue
        m = moved / n
        if svc not in applied:
            verdict = "PASS" if moved == 0 else "FAIL"
            print("%s %s %d of %d probe flows moved; the step does not touch the service" % (case, verdict, moved, n))
            continue
        s = applied[svc]
        if s["over_bound"]:
            sigma = math.sqrt(max(s["remap"] * (1 - s["remap"]), 1e-9) / n)
            verdict = "PASS" if abs(m - s["remap"]) <= 4 * sigma + 1.0 / n else "FAIL"
            print("%s %s %.2f%% of %d probe flows moved; over the bound as planned, which states %.2f%% (4 sigma %.2f points)" % (case, verdict, 100 * m, n, 100 * s["remap"], 400 * sigma))
            continue
        tol = 3 * math.sqrt(bound * (1 - bound) / n)
        verdict = "PASS" if m <= bound + tol else "FAIL"
        print("%s %s %.2f%% of %d probe flows moved (%d); bound %.2f%% + 3 sigma %.2f points; planned %.2f%% of the hash space" % (case, verdict, 100 * m, n, moved, 100 * bound, 100 * tol, 100 * s["remap"]))
if ok_files:
    print("ramp-moves PASS %d steps measured from the kernel's decisions on the probe flows" % n_steps)
    # The control: the whole change at once, burst 0 against burst N, moves
    # more than any step may, so a step that moved as much would fail.
    first, last = conns("ramp-0"), conns("ramp-%d" % n_steps)
    bound = plan["max_remap"]
    for svc in sorted(services):
        vip = vip_key(svc)
        keys = [key for key in first if key[3:5] == vip and key in last]
        n = max(len(keys), 1)
        m = sum(first[key] != last[key] for key in keys) / n
        tol = 3 * math.sqrt(bound * (1 - bound) / n)
        verdict = "PASS" if m > bound + tol else "FAIL"
        print("ramp-moves-control-%s %s the whole change at once moves %.2f%% of %d probe flows, over the bound plus 3 sigma (%.2f%%)" % (svc.split()[1], verdict, 100 * m, len(keys), 100 * (bound + tol)))
PY
	local name verdict detail
	while read -r name verdict detail; do
		result "$name" "$verdict" "$detail"
	done <"$cmp/ramp-moves.txt"
}
ramp_moves
