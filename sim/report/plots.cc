// SPDX-License-Identifier: GPL-2.0
#include "plots.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace ipvs_sim {

namespace {

// A number in a .dat file: gnuplot reads "NaN" as a missing point.
std::string Dat(double v) { return std::isnan(v) ? "NaN" : fmt::format("{:.6g}", v); }

// The dests of the first service of @r, in the order of its totals.
std::vector<uint32_t> FirstServiceDests(const RunResult& r) {
  std::vector<uint32_t> ids;
  if (!r.totals.empty())
    for (const DestWindow& d : r.totals[0].dests) ids.push_back(d.dest_id);
  return ids;
}

// share-SCHED.dat: time, then share and weight share of each of @ids.
std::string ShareData(const RunResult& r, const std::vector<uint32_t>& ids) {
  std::string dat = fmt::format("# {}: time", r.scheduler);
  for (uint32_t id : ids)
    dat += fmt::format(" share:{} weight:{}", r.dest_ep[id].ToString(), r.dest_ep[id].ToString());
  dat += '\n';
  int svc = r.totals.empty() ? -1 : r.totals[0].svc;
  for (const ServiceWindow& w : r.windows) {
    if (w.svc != svc || !FullWindow(r, w)) continue;
    double nf = 0;
    for (const DestWindow& d : w.dests) nf += d.new_flows;
    dat += fmt::format("{}", (w.start + w.end) / 2);
    for (uint32_t id : ids) {
      double share = kNaN, weight = 0;
      for (const DestWindow& d : w.dests)
        if (d.dest_id == id) {
          share = Share(d.new_flows, nf);
          weight = d.weight_share;
        }
      dat += fmt::format(" {} {}", Dat(share), fmt::format("{:.6g}", weight));
    }
    dat += '\n';
  }
  return dat;
}

// The remapped fraction of event @e of @r: of the hash space when measured,
// else of the new flows.
double Remap(const RunResult& r, size_t e) {
  double v = r.events[e].hash_remap;
  return std::isnan(v) ? r.events[e].new_flow_remap() : v;
}

std::string DisruptionData(const std::vector<RunResult>& runs, size_t nevents) {
  std::string dat = "# event ideal";
  for (const RunResult& r : runs) dat += fmt::format(" remap:{}", r.scheduler);
  for (const RunResult& r : runs) dat += fmt::format(" broken:{}", r.scheduler);
  dat += '\n';
  for (size_t e = 0; e < nevents; ++e) {
    const EventStats& ev = runs[0].events[e];
    std::string label = fmt::format("t={} {}", ev.time, ev.what);
    std::replace(label.begin(), label.end(), '"', '\'');
    dat += fmt::format("\"{}\" {}", label, Dat(ev.ideal_remap));
    for (const RunResult& r : runs) dat += fmt::format(" {}", Dat(Remap(r, e)));
    for (const RunResult& r : runs) dat += fmt::format(" {}", r.events[e].broken);
    dat += '\n';
  }
  return dat;
}

// The plot command of the remap panel. gnuplot refuses a histogram column
// without a single valid value, so such columns are left out.
std::string RemapPlot(const std::vector<RunResult>& runs, size_t nevents) {
  auto has_value = [&](auto value) {
    for (size_t e = 0; e < nevents; ++e)
      if (!std::isnan(value(e))) return true;
    return false;
  };
  std::string plot;
  if (has_value([&](size_t e) { return runs[0].events[e].ideal_remap; }))
    plot = "'disruption.dat' using 2:xtic(1) title 'ideal'";
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!has_value([&](size_t e) { return Remap(runs[i], e); })) continue;
    plot += fmt::format("{}'disruption.dat' using {}{} title '{}'", plot.empty() ? "" : ", ", 3 + i,
                        plot.empty() ? ":xtic(1)" : "", runs[i].scheduler);
  }
  return plot.empty() ? "0 notitle" : plot;
}

}  // namespace

void AddSharePlot(const std::vector<RunResult>& runs, OutputFiles* out) {
  std::string gp = fmt::format(
      "# SPDX-License-Identifier: GPL-2.0\n"
      "# New-flow share of each dest (solid) against its weight share (dashed).\n"
      "set terminal pngcairo size 1200,{} noenhanced\n"
      "set output 'share.png'\n"
      "set multiplot layout {},1\n"
      "set key outside right\n"
      "set xlabel 'time (s)'\nset ylabel 'share of new flows'\n"
      "set yrange [0:*]\n",
      std::max<size_t>(1, runs.size()) * 280, std::max<size_t>(1, runs.size()));
  for (const RunResult& r : runs) {
    std::vector<uint32_t> ids = FirstServiceDests(r);
    std::string name = fmt::format("share-{}.dat", r.scheduler);
    out->Add(name, ShareData(r, ids));
    gp += fmt::format("set title '{}'\nplot ", r.scheduler);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) gp += ", \\\n     ";
      gp += fmt::format(
          "'{0}' using 1:{1} with lines lw 2 lc {3} title '{2}', "
          "'{0}' using 1:{4} with lines dt 2 lc {3} notitle",
          name, 2 + 2 * i, r.dest_ep[ids[i]].ToString(), i + 1, 3 + 2 * i);
    }
    if (ids.empty()) gp += "0 notitle";
    gp += '\n';
  }
  gp += "unset multiplot\n";
  out->Add("share.gp", gp);
}

void AddDisruptionPlot(const std::vector<RunResult>& runs, OutputFiles* out) {
  size_t nevents = runs.empty() ? 0 : runs[0].events.size();
  out->Add("disruption.dat", DisruptionData(runs, nevents));
  std::string dg =
      "# SPDX-License-Identifier: GPL-2.0\n"
      "# Per event: fraction of the hash space remapped (hash schedulers) against\n"
      "# the ideal minimum, and flows broken.\n"
      "set terminal pngcairo size 1200,800 noenhanced\n"
      "set output 'disruption.png'\n"
      "set multiplot layout 2,1\n"
      "set style data histograms\nset style histogram clustered gap 1\n"
      "set style fill solid 0.8 border -1\nset key outside right\n"
      "set xtics rotate by -20\nset yrange [0:*]\n";
  dg += "set title 'keys remapped (fraction; hash schedulers)'\nplot " + RemapPlot(runs, nevents) +
        "\n";
  if (nevents == 0) {
    dg += "set title 'flows broken: no timeline events'\nplot 0 notitle\n";
  } else {
    dg += "set title 'flows broken'\nplot ";
    for (size_t i = 0; i < runs.size(); ++i)
      dg += fmt::format("{}'disruption.dat' using {}{} title '{}'", i ? ", " : "",
                        3 + runs.size() + i, i ? "" : ":xtic(1)", runs[i].scheduler);
    dg += '\n';
  }
  dg += "unset multiplot\n";
  out->Add("disruption.gp", dg);
}

}  // namespace ipvs_sim
