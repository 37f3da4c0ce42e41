// LabeledFewShot (DSPy 3.3, dspy/teleprompt/vanilla.py): the program's demos become k labelled
// training examples, a seeded sample of them (sample = true) or the first k. No LM call: it is
// the baseline every other few-shot optimizer is measured against. The task's seed drives the
// draw (seed 0 is DSPy's random.Random(0), with our portable generator's sequence).
//
//   LabeledFewShotSettings s = LabeledFewShotSettings::parse(task);
//   LabeledFewShotResult r = labeled_few_shot(host, task, s);
//   r.chosen;   // the trainset indices of r.best.demos, in order
#pragma once

#include <optimizer_common/candidate.hpp>
#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace pipeline::optimizer {

struct LabeledFewShotSettings {
  std::size_t k = 16;
  bool sample = true;

  static LabeledFewShotSettings parse(const Task& task);
};

struct LabeledFewShotResult {
  Candidate best;
  std::vector<std::size_t> chosen;  // trainset indices, in demo order
  std::string stopped;              // cancelled (the demos are chosen all the same)
};

LabeledFewShotResult labeled_few_shot(SearchHost& host, const Task& task,
                                      const LabeledFewShotSettings& s);

}  // namespace pipeline::optimizer
