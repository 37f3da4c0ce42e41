// The labeled_few_shot optimizer plugin: labeled_few_shot.cpp behind pl_optimizer_vtable.
#include "labeled_few_shot.hpp"

#include <optimizer_common/search_optimizer.hpp>
#include <optimizer_common/task.hpp>
#include <pipeline/plugin.hpp>

PIPELINE_PLUGIN("optimizer_labeled_few_shot", "1.0.0",
                "LabeledFewShot: k labelled training examples as demos") {
  using namespace pipeline::optimizer;
  r.add_optimizer<SearchOptimizer<LabeledFewShotSettings::parse, labeled_few_shot>>(
      "labeled_few_shot", "1.0.0", PL_FLAG_CONCURRENT,
      "LabeledFewShot (DSPy 3.3): k labelled training examples, a seeded sample, as the demos; "
      "no LM call");
}
