// BootstrapFewShot (DSPy 3.3, dspy/teleprompt/bootstrap.py) over a SearchHost. A teacher (the
// program's instructions with max_labeled_demos labelled demos, never the example it answers)
// runs the training examples in order, each up to max_rounds times (rounds after the first at
// temperature 1 with a fresh rollout id, so the response cache does not replay the first reply);
// a trace becomes an "augmented" demo only when the step's metric passes it (score >=
// metric_threshold, or > 0 without one), until max_bootstrapped_demos traces are kept. Labelled
// demos of the examples not bootstrapped fill up to max_labeled_demos. max_errors replies that
// fail to parse end the optimization with an error (DSPy raises). A spent budget or a cancel
// ends the bootstrapping: the program is built from the traces gathered so far. The labelled
// draws, DSPy's random.Random(0), use the task's seed (seed 0 is DSPy's structure).
//
//   BootstrapFewShotSettings s = BootstrapFewShotSettings::parse(task);
//   BootstrapFewShotResult r = bootstrap_few_shot(host, task, s);
#pragma once

#include <optimizer_common/candidate.hpp>
#include <optimizer_common/demo_sets.hpp>
#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace pipeline::optimizer {

struct BootstrapFewShotSettings {
  DemoSetSettings demos;  // max_bootstrapped_demos 4, max_labeled_demos 16, max_rounds 1, ...

  static BootstrapFewShotSettings parse(const Task& task);
};

struct BootstrapFewShotResult {
  Candidate best;
  std::vector<std::size_t> bootstrapped;  // trainset indices whose trace became a demo, in order
  std::size_t attempts = 0;               // teacher runs, rounds included
  std::size_t errors = 0;                 // replies that failed to parse
  std::string stopped;                    // budget | cancelled, else empty
};

BootstrapFewShotResult bootstrap_few_shot(SearchHost& host, const Task& task,
                                          const BootstrapFewShotSettings& s);

}  // namespace pipeline::optimizer
