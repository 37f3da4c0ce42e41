#include "bootstrap_few_shot.hpp"

#include <optimizer_common/report.hpp>

#include <numeric>

namespace pipeline::optimizer {

BootstrapFewShotSettings BootstrapFewShotSettings::parse(const Task& task) {
  Params p(task.params, "bootstrap_few_shot");
  BootstrapFewShotSettings s;
  s.demos = DemoSetSettings::parse(p);
  s.demos.seed = task.seed;
  p.finish();
  return s;
}

BootstrapFewShotResult bootstrap_few_shot(SearchHost& host, const Task& task,
                                          const BootstrapFewShotSettings& s) {
  BootstrapFewShotResult r;
  std::vector<std::size_t> order(task.trainset.size());
  std::iota(order.begin(), order.end(), 0);
  BootstrapTraces traces;
  ErrorBudget errors;
  try {
    report(host, {{"stage", "bootstrap"},
                  {"message", "bootstrapping up to " +
                                  std::to_string(s.demos.max_bootstrapped_demos) + " traces from " +
                                  std::to_string(task.trainset.size()) + " training examples"},
                  {"candidate", 1},
                  {"of", 1}});
    bootstrap_traces(host, task, order, s.demos, errors, traces);
  } catch (const Stopped& e) {
    r.stopped = e.status() == PL_CANCELLED ? "cancelled" : "budget";
  }
  // The student is a reset copy: its demos are the bootstrapped program's, instructions kept.
  r.best = {task.start.instructions, bootstrapped_demos(task, order, traces, s.demos)};
  for (std::size_t pos = 0; pos < traces.bootstrapped.size(); ++pos)
    if (traces.bootstrapped[pos]) r.bootstrapped.push_back(order[pos]);
  r.attempts = traces.attempts;
  r.errors = errors.errors;
  return r;
}

}  // namespace pipeline::optimizer
