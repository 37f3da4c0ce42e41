// The bootstrap_few_shot optimizer plugin: bootstrap_few_shot.cpp behind pl_optimizer_vtable,
// every call through the host's pipeline.program service.
#include "bootstrap_few_shot.hpp"

#include <optimizer_common/search_optimizer.hpp>
#include <optimizer_common/task.hpp>
#include <pipeline/plugin.hpp>

PIPELINE_PLUGIN("optimizer_bootstrap_few_shot", "1.0.0",
                "BootstrapFewShot: teacher traces that pass the metric as demos") {
  using namespace pipeline::optimizer;
  r.add_optimizer<SearchOptimizer<BootstrapFewShotSettings::parse, bootstrap_few_shot>>(
      "bootstrap_few_shot", "1.0.0", PL_FLAG_CONCURRENT,
      "BootstrapFewShot (DSPy 3.3): the teacher's traces that pass the step's metric become "
      "demos, topped up with labelled examples");
}
