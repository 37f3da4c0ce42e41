#include "labeled_few_shot.hpp"

#include <optimizer_common/demo_sets.hpp>
#include <optimizer_common/report.hpp>

namespace pipeline::optimizer {

LabeledFewShotSettings LabeledFewShotSettings::parse(const Task& task) {
  Params p(task.params, "labeled_few_shot");
  LabeledFewShotSettings s;
  s.k = static_cast<std::size_t>(p.integer("k", 16, 0, 1000));
  s.sample = p.boolean("sample", true);
  p.finish();
  return s;
}

LabeledFewShotResult labeled_few_shot(SearchHost& host, const Task& task,
                                      const LabeledFewShotSettings& s) {
  LabeledFewShotResult r;
  // DSPy's student.reset_copy(): the demos as written are replaced, the instructions kept.
  r.best.instructions = task.start.instructions;
  r.chosen = labeled_positions(task.trainset.size(), s.k, s.sample, task.seed);
  for (std::size_t i : r.chosen) r.best.demos.push_back(task.trainset[i].flat());
  try {
    report(host, {{"stage", "labeled"},
                  {"message", std::to_string(r.chosen.size()) + " labelled demos of " +
                                  std::to_string(task.trainset.size()) + " training examples"},
                  {"candidate", 1},
                  {"of", 1}});
  } catch (const Stopped&) {
    r.stopped = "cancelled";  // nothing is left to do: the program is complete
  }
  return r;
}

}  // namespace pipeline::optimizer
