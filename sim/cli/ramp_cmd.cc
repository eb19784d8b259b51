// SPDX-License-Identifier: GPL-2.0
// ipvs-sim ramp: a change of weights and real servers in steps that each
// move at most --max-remap of a service's hash space (the planner is
// sim/engine/ramp.h); printed, or applied over netlink (tools/lib).
#include "ramp_cmd.h"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common_cmd.h"
#include "config_load.h"
#include "ipvs_nl.h"
#include "live_config.h"
#include "ramp.h"
#include "whatif_cmd.h"

namespace ipvs_sim {

namespace {

struct RampArgs {
  ConfigArgs config;  // empty path: the live configuration
  std::string target;
  std::string change;
  std::vector<std::string> edits;
  std::string max_remap = "5%";
  uint32_t probe_keys = 100000;
  size_t max_steps = 1000;
  bool json = false;
  bool apply = false;
  double pause = 0;
  size_t steps = 0;  // --steps: apply at most this many (0: all)
};

volatile std::sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

// "5%", "5" (percent) or "2.5%": a share in (0, 1].
bool ParseBound(const std::string& text, double* out) {
  std::string t = text;
  if (!t.empty() && t.back() == '%') t.pop_back();
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(t.c_str(), &end);
  if (t.empty() || errno || *end || !(v > 0) || v > 100) return false;
  *out = v / 100;
  return true;
}

// @d (of the simulator) as the netlink dest it is.
ipvs_nl_dest NlDest(const Dest& d) {
  ipvs_nl_dest n{};
  n.af = d.ep.addr.family == Family::kV6 ? AF_INET6 : AF_INET;
  std::memcpy(&n.addr, d.ep.addr.bytes.data(), 16);
  n.port = d.ep.port;
  n.fwd = d.forward == 'g'   ? IP_VS_CONN_F_DROUTE
          : d.forward == 'i' ? IP_VS_CONN_F_TUNNEL
                             : IP_VS_CONN_F_MASQ;
  n.weight = d.weight;
  n.u_thresh = d.u_threshold;
  n.l_thresh = d.l_threshold;
  return n;
}

// One netlink edit done, and how to undo it.
struct Done {
  int cmd = 0;
  ipvs_nl_service svc{};
  ipvs_nl_dest before{}, after{};
};

bool Send(int cmd, const ipvs_nl_service& svc, const ipvs_nl_dest& d, std::string* err) {
  char e[256];
  if (ipvs_nl_dest_edit(cmd, &svc, &d, e, sizeof(e)) == IPVS_NL_OK) return true;
  *err = e;
  return false;
}

// Undoes @done, newest first. A deleted dest comes back at the list head.
void Undo(const std::vector<Done>& done) {
  std::string err;
  for (auto it = done.rbegin(); it != done.rend(); ++it) {
    int cmd = it->cmd == IPVS_CMD_NEW_DEST   ? IPVS_CMD_DEL_DEST
              : it->cmd == IPVS_CMD_DEL_DEST ? IPVS_CMD_NEW_DEST
                                             : IPVS_CMD_SET_DEST;
    const ipvs_nl_dest& d = it->cmd == IPVS_CMD_NEW_DEST ? it->after : it->before;
    if (!Send(cmd, it->svc, d, &err))
      fmt::print(stderr, "ramp: undoing a real-server edit failed: {}\n", err);
  }
}

// The step's edits over netlink, against the live dump @nl (aligned with
// @live). On failure, what was done of the step is undone.
bool ApplyStep(const RampStep& step, const ipvs_nl_config& nl, const IpvsConfig& live,
               std::string* err) {
  std::vector<Done> done;
  for (const RampServiceStep& s : step.services) {
    int si = live.Find(s.key);
    if (si < 0) {
      *err = fmt::format("service {} is gone", s.key.ToString());
      Undo(done);
      return false;
    }
    const ipvs_nl_service& svc = nl.svc[si];
    for (const TimelineEvent& ev : s.edits) {
      Done d;
      d.svc = svc;
      int di = live.services[si].Find(ev.dest.ep);
      if (ev.kind == TimelineEvent::Kind::kAddDest) {
        d.cmd = IPVS_CMD_NEW_DEST;
        d.after = NlDest(ev.dest);
      } else if (di < 0) {
        *err = fmt::format("real server {} of {} is gone", ev.dest.ep.ToString(), s.key.ToString());
        Undo(done);
        return false;
      } else {
        d.cmd = ev.kind == TimelineEvent::Kind::kEditDest ? IPVS_CMD_SET_DEST : IPVS_CMD_DEL_DEST;
        d.before = d.after = svc.dests[di];
        d.after.weight = ev.dest.weight;
      }
      if (!Send(d.cmd, svc, d.after, err)) {
        *err = fmt::format("{}: {}", FormatRampEdit(ev), *err);
        Undo(done);
        return false;
      }
      done.push_back(d);
    }
  }
  return true;
}

// Same dests at the same weights in every service @plan touches.
std::string Drift(const IpvsConfig& want, const IpvsConfig& live, const RampPlan& plan) {
  for (const RampStep& st : plan.steps)
    for (const RampServiceStep& s : st.services) {
      int a = want.Find(s.key), b = live.Find(s.key);
      if (b < 0) return fmt::format("service {} is gone", s.key.ToString());
      const Service &w = want.services[a], &l = live.services[b];
      bool same = w.dests.size() == l.dests.size();
      for (size_t i = 0; same && i < w.dests.size(); ++i) {
        int j = l.Find(w.dests[i].ep);
        same = j >= 0 && l.dests[j].weight == w.dests[i].weight;
      }
      if (!same)
        return fmt::format("the real servers of {} changed under the ramp", s.key.ToString());
    }
  return "";
}

// Sleeps @seconds, or less on SIGINT.
void Pause(double seconds) {
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  end.tv_sec += static_cast<time_t>(seconds);
  end.tv_nsec += static_cast<long>((seconds - static_cast<time_t>(seconds)) * 1e9);
  if (end.tv_nsec >= 1000000000L) {
    end.tv_sec++;
    end.tv_nsec -= 1000000000L;
  }
  while (!g_interrupted &&
         clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, nullptr) == EINTR) {
  }
}

std::string Pct(double v) { return fmt::format("{:.2f}%", 100 * v); }

std::string StepText(const RampPlan& plan, size_t i) {
  std::string s = fmt::format("step {} of {}\n", i + 1, plan.steps.size());
  for (const RampServiceStep& v : plan.steps[i].services) {
    s += fmt::format("  {}: moves {} of the hash space (ideal {})", v.key.ToString(), Pct(v.remap),
                     Pct(v.ideal));
    if (v.over_bound) s += "; OVER THE BOUND: " + v.why;
    s += '\n';
    for (const TimelineEvent& ev : v.edits) s += "    " + FormatRampEdit(ev) + "\n";
  }
  return s;
}

std::string PlanText(const RampPlan& plan, double bound) {
  size_t over = 0;
  for (const RampStep& st : plan.steps)
    for (const RampServiceStep& v : st.services) over += v.over_bound;
  std::string s = fmt::format("ramp: {} steps, each moving at most {} of a service's hash space",
                              plan.steps.size(), Pct(bound));
  s += over ? fmt::format(" except {} that cannot be split\n", over) : "\n";
  for (size_t i = 0; i < plan.steps.size(); ++i) s += StepText(plan, i);
  return s;
}

nlohmann::json PlanJson(const RampPlan& plan, const IpvsConfig& current, double bound) {
  using nlohmann::json;
  json j = {{"max_remap", bound}, {"steps", json::array()}};
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    json st = {{"step", i + 1}, {"services", json::array()}};
    for (const RampServiceStep& v : plan.steps[i].services) {
      json e = json::array();
      for (const TimelineEvent& ev : v.edits) e.push_back(FormatRampEdit(ev));
      int si = current.Find(v.key);
      st["services"].push_back({{"service", v.key.ToString()},
                                {"scheduler", current.services[si].scheduler},
                                {"remap", v.remap},
                                {"ideal", v.ideal},
                                {"over_bound", v.over_bound},
                                {"why", v.over_bound ? json(v.why) : json(nullptr)},
                                {"edits", e}});
    }
    j["steps"].push_back(std::move(st));
  }
  j["target"] = FormatIpvsadmConfig(plan.target);
  return j;
}

// Applies every step, pausing between them. Returns the exit status: 0
// when all are in place, 1 when an error stopped the ramp, 130 on SIGINT;
// *applied steps are in place, *why says where it stopped.
int ApplyPlan(const RampPlan& plan, const IpvsConfig& start, const RampArgs& a, size_t* applied,
              std::string* why) {
  struct sigaction sa = {};
  sa.sa_handler = OnInterrupt;  // no SA_RESTART: a pause ends at once
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  ipvs_nl_config nl{};
  int status = 0;
  std::string err;
  size_t n = plan.steps.size();
  size_t last = a.steps ? std::min(a.steps, n) : n;
  for (*applied = 0; *applied < last; ++*applied) {
    size_t i = *applied;
    if (i > 0 && a.pause > 0) Pause(a.pause);
    if (g_interrupted) {
      *why = fmt::format("interrupted before step {} of {}", i + 1, n);
      status = 130;
      break;
    }
    IpvsConfig live, want;
    if (!ReadLive(&nl, &live, &err) || !ApplyRampSteps(start, plan, i, &want, &err)) {
      *why = fmt::format("step {} of {} not applied: {}", i + 1, n, err);
      status = 1;
      break;
    }
    std::string drift = Drift(want, live, plan);
    if (!drift.empty()) {
      *why = fmt::format("step {} of {} not applied: {}", i + 1, n, drift);
      status = 1;
      break;
    }
    if (!ApplyStep(plan.steps[i], nl, live, &err)) {
      *why = fmt::format("step {} of {} failed and was undone: {}", i + 1, n, err);
      status = 1;
      break;
    }
    if (!a.json) {
      fmt::print("applied step {} of {}\n", i + 1, n);
      std::fflush(stdout);
    }
  }
  ipvs_nl_free(&nl);
  if (status == 0 && g_interrupted && *applied < last) status = 130;
  return status;
}

int RunRampCmd(const RampArgs& a, const GlobalOptions& g) {
  std::string err;
  RampOptions opts;
  opts.sched = g.sched;
  opts.probe_keys = a.probe_keys;
  opts.max_steps = a.max_steps;
  if (!ParseBound(a.max_remap, &opts.max_remap))
    return Fail(fmt::format("--max-remap: '{}' is not a share in (0%, 100%]", a.max_remap));
  if (a.apply && !a.config.path.empty())
    return Fail("ramp: --apply plans from the live configuration; --config is for dry runs");
  if (a.target.empty() == (a.change.empty() && a.edits.empty()))
    return Fail("ramp: give the target as --target FILE, or as --change FILE / --edit 'LINE'");
  if (a.probe_keys == 0) return Fail("--probe-keys: must be at least 1");
  IpvsConfig current;
  if (a.config.path.empty()) {
    ipvs_nl_config nl{};
    bool ok = ReadLive(&nl, &current, &err);
    ipvs_nl_free(&nl);
    if (!ok) return Fail("ramp: " + err);
  } else if (!LoadConfigArgs(a.config, g, &current, &err)) {
    return Fail(err);
  }
  IpvsConfig target;
  if (!a.target.empty()) {
    ConfigArgs t = a.config;
    t.path = a.target;
    if (!LoadConfigArgs(t, g, &target, &err)) return Fail(err);
  } else {
    std::vector<TimelineEvent> change;
    if (!ReadChangeLines(a.change, a.edits, "ramp", &change, &err)) return Fail(err);
    if (!RampTargetFromEdits(current, change, &target, &err)) return Fail("ramp: " + err);
  }
  RampPlan plan;
  if (!PlanRamp(current, target, opts, &plan, &err)) return Fail("ramp: " + err);
  if (!a.apply)
    return WriteStdout(a.json ? PlanJson(plan, current, opts.max_remap).dump(2) + "\n"
                              : PlanText(plan, opts.max_remap));
  if (!a.json) {
    int w = WriteStdout(PlanText(plan, opts.max_remap));
    if (w) return w;
  }
  size_t applied = 0;
  std::string why;
  int status = ApplyPlan(plan, current, a, &applied, &why);
  if (a.json) {
    nlohmann::json j = PlanJson(plan, current, opts.max_remap);
    j["applied"] = applied;
    j["stopped"] = why.empty() ? nlohmann::json(nullptr) : nlohmann::json(why);
    int w = WriteStdout(j.dump(2) + "\n");
    if (w) return w;
  }
  if (status == 0) {
    if (a.json) return 0;
    if (applied == plan.steps.size())
      fmt::print("ramp: all {} steps applied: the target is in place\n", applied);
    else
      fmt::print("ramp: {} of {} steps applied (--steps); the same command plans the rest\n",
                 applied, plan.steps.size());
    return 0;
  }
  fmt::print(stderr, "ramp: stopped: {}; {}\n", why,
             applied ? fmt::format("steps 1 to {} of {} are applied and in place", applied,
                                   plan.steps.size())
                     : std::string("nothing was applied"));
  return status;
}

}  // namespace

void SetupRamp(CLI::App* app, GlobalOptions* g, RunFn* run) {
  auto a = std::make_shared<RampArgs>();
  CLI::App* c = app->add_subcommand(
      "ramp",
      "Plan a change of real-server weights, added and removed real servers in steps that "
      "each move at most --max-remap of a service's hash space (measured as whatif does, "
      "with the service's scheduler: wmh, hrw, chbl, mh, sh, dh); print them (the default) or "
      "--apply "
      "them over netlink with --pause between steps.");
  AddConfigOptions(c, &a->config);
  c->get_option("--config")
      ->required(false)
      ->description(
          "the current configuration, as every subcommand reads it (ipvsadm rules, ipvsadm "
          "-Ln [--nosort], keepalived.conf; '-' for stdin); default: the live one, over "
          "netlink");
  c->add_option("--target", a->target,
                "the target configuration, read as --config is: the same services, weights "
                "changed, real servers added or removed");
  c->add_option("--change", a->change,
                "the target as ipvsadm real-server edit lines (-a/-e/-d, as whatif takes "
                "them) applied to the current configuration; '#' comments");
  c->add_option("--edit", a->edits, "one ipvsadm edit line (repeatable; after --change's lines)");
  c->add_option("--max-remap", a->max_remap,
                "the most of a service's hash space one step may move, in percent ('5', "
                "'2.5%')")
      ->capture_default_str();
  c->add_option("--probe-keys", a->probe_keys, "sampled keys per measured step (as whatif)")
      ->capture_default_str();
  c->add_option("--max-steps", a->max_steps, "fail rather than plan more steps per service")
      ->capture_default_str();
  c->add_flag("--json", a->json, "JSON instead of the text plan");
  c->add_flag("--apply", a->apply,
              "perform the steps on the live director over netlink (CAP_NET_ADMIN); stops at "
              "the first error or SIGINT with the last completed step in place");
  c->add_option("--steps", a->steps,
                "with --apply, apply at most this many steps (0: all); a plan depends only on "
                "the configuration it starts from, so running the same command again goes on "
                "with the same steps")
      ->capture_default_str();
  c->add_option("--pause", a->pause, "seconds to wait between applied steps")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  c->callback([run, a, g]() { *run = [a, g]() { return RunRampCmd(*a, *g); }; });
}

}  // namespace ipvs_sim
