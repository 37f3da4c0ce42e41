// The bootstrap_random_search optimizer plugin: bootstrap_random_search.cpp behind
// pl_optimizer_vtable, every call through the host's pipeline.program service.
#include "bootstrap_random_search.hpp"

#include <optimizer_common/search_optimizer.hpp>
#include <optimizer_common/task.hpp>
#include <pipeline/plugin.hpp>

PIPELINE_PLUGIN("optimizer_bootstrap_random_search", "1.0.0",
                "BootstrapFewShotWithRandomSearch: bootstrapped demo sets scored on the valset") {
  using namespace pipeline::optimizer;
  r.add_optimizer<SearchOptimizer<RandomSearchSettings::parse, bootstrap_random_search>>(
      "bootstrap_random_search", "1.0.0", PL_FLAG_CONCURRENT,
      "BootstrapFewShotWithRandomSearch (DSPy 3.3): zero-shot, labelled-only, unshuffled and "
      "shuffled bootstraps, each scored on the validation set; the best wins");
}
