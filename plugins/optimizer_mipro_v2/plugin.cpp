// The mipro_v2 optimizer plugin: the search logic of mipro_v2.cpp behind pl_optimizer_vtable,
// every call through the host's pipeline.program service.
#include "mipro_v2.hpp"

#include <optimizer_common/search_optimizer.hpp>
#include <optimizer_common/task.hpp>
#include <pipeline/plugin.hpp>

namespace {

using namespace pipeline::optimizer;

MiproSettings parse(const Task& task) {
  return MiproSettings::parse(task.params);
}

}  // namespace

PIPELINE_PLUGIN("optimizer_mipro_v2", "1.0.0",
                "MIPROv2: LM-proposed instructions x bootstrapped demo sets, TPE search") {
  r.add_optimizer<SearchOptimizer<parse, mipro_v2>>(
      "mipro_v2", "1.0.0", PL_FLAG_CONCURRENT,
      "MIPROv2 (DSPy 3.3): instruction proposals from the LM and bootstrapped demo sets, searched "
      "by a seeded TPE on minibatches");
}
