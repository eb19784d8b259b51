// SPDX-License-Identifier: GPL-2.0
// ipvs-sim: replays connection traces through IPVS schedulers.
#include <fmt/core.h>

#include "common_cmd.h"
#include "ramp_cmd.h"
#include "whatif_cmd.h"

int main(int argc, char** argv) {
  CLI::App app{
      "ipvs-sim: replays connection traces through the wmh scheduler code and models of the "
      "kernel's IPVS schedulers, and reports load spread and disruption.\n"
      "Load-time options may be given before or after the subcommand."};
  app.require_subcommand(1);
  app.fallthrough();
  ipvs_sim::GlobalOptions g;
  ipvs_sim::AddGlobalOptions(&app, &g);
  ipvs_sim::RunFn run;
  ipvs_sim::SetupPredict(&app, &g, &run);
  ipvs_sim::SetupReplay(&app, &g, &run);
  ipvs_sim::SetupCompare(&app, &g, &run);
  ipvs_sim::SetupGenerate(&app, &g, &run);
  ipvs_sim::SetupBench(&app, &g, &run);
  ipvs_sim::SetupConfig(&app, &g, &run);
  ipvs_sim::SetupWhatif(&app, &g, &run);
  ipvs_sim::SetupRamp(&app, &g, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::string err;
  if (!ipvs_sim::FinishGlobalOptions(&g, &err)) return ipvs_sim::Fail(err);
  return run ? run() : 2;
}
