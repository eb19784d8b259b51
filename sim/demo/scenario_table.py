#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The table of sim/demo/scenarios.sh: for each scenario (a compare --out
directory), each scheduler's balance, disruption, affinity and failover
figures, and which scheduler wins each, as a reStructuredText table.

  balance     the worst server's relative error of its new-flow share
              against its weight share, whole run, first service (lower
              wins)
  disruption  hash space remapped over the ideal remap, mean over the
              server changes of the timeline (lower wins; "-" for
              schedulers without a hash space: they keep no affinity)
  affinity    the share of new flows sent where the flow's hash points
              (the first choice; chbl's bound passes some over; "none" for
              rr and wlc, which do not follow the client)
  failover    flows broken when a director fails and returns (lower wins)

A scheduler that misses a server's weight share by more than half
(balance above 50%) is not balancing and wins nothing: sh's 256-slot table,
for one, cannot spread 200 weighted servers, and moves few flows because it
serves few of them. Figures within rounding of the best (2%, or 10% plus 5
flows for failover) win together.
"""
import json
import os
import sys


def figures(run):
    svc = run["services"][0]
    bal = svc["balance"]["new_flows"]
    out = {"balance": bal["max_rel_err"] if bal else None}
    ratios = [e["hash_remap"] / e["ideal_remap"] for e in run["events"]
              if e.get("ideal_remap") and e.get("hash_remap") is not None]
    out["disruption"] = sum(ratios) / len(ratios) if ratios else None
    hashed = bool(ratios)
    if hashed and run["scheduled"]:
        out["affinity"] = 1 - run["bounded"] / run["scheduled"]
    else:
        out["affinity"] = None
    out["failover"] = sum(e["broken"] for e in run["events"]
                          if e["event"].startswith("director-"))
    return out


def cell(metric, value):
    if value is None:
        return "none" if metric == "affinity" else "-"
    if metric == "failover":
        return str(value)
    if metric == "disruption":
        return "%.2fx" % value
    return "%.1f%%" % (100 * value)


def winners(metric, values, eligible):
    known = {s: v for s, v in values.items() if v is not None and s in eligible}
    if not known:
        return []
    best = max(known.values()) if metric == "affinity" else min(known.values())
    # Within a rounding of the best: a tie, all win.
    if metric == "failover":
        near = lambda v: v <= best * 1.1 + 5
    elif metric == "affinity":
        near = lambda v: v >= best - 0.0005
    else:
        near = lambda v: v <= best * 1.02 + 1e-9
    return [s for s, v in known.items() if near(v)]


def main(dirs):
    rows = []
    scheds = None
    for d in dirs:
        with open(os.path.join(d, "summary.json")) as f:
            runs = json.load(f)["runs"]
        scheds = [r["scheduler"] for r in runs]
        figs = {r["scheduler"]: figures(r) for r in runs}
        eligible = {s for s, f in figs.items() if f["balance"] is not None and
                    f["balance"] <= 0.5}
        for metric in ("balance", "disruption", "affinity", "failover"):
            values = {s: figs[s][metric] for s in scheds}
            win = winners(metric, values, eligible)
            rows.append([os.path.basename(d.rstrip("/")), metric] +
                        [cell(metric, values[s]) for s in scheds] +
                        [", ".join(win)])
    head = ["scenario", "figure"] + scheds + ["wins"]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    rule = " ".join("=" * w for w in widths)
    fmt = lambda r: " ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    print(rule)
    print(fmt(head))
    print(rule)
    for r in rows:
        print(fmt(r))
    print(rule)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: scenario_table.py COMPARE_OUT_DIR...")
    main(sys.argv[1:])
