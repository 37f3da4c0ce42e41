// The gepa optimizer plugin: the search logic of gepa.cpp behind pl_optimizer_vtable, every call
// through the host's pipeline.program service.
#include "gepa.hpp"

#include <optimizer_common/search_optimizer.hpp>
#include <optimizer_common/task.hpp>
#include <pipeline/plugin.hpp>

namespace {

using namespace pipeline::optimizer;

GepaSettings parse(const Task& task) {
  return GepaSettings::parse(task.params, task);
}

}  // namespace

PIPELINE_PLUGIN("optimizer_gepa", "1.0.0",
                "GEPA: reflective instruction evolution over a Pareto front") {
  r.add_optimizer<SearchOptimizer<parse, gepa>>(
      "gepa", "1.0.0", PL_FLAG_CONCURRENT,
      "GEPA (DSPy 3.3 / gepa): a reflection LM rewrites the instruction from failing examples and "
      "the metric's feedback; Pareto-front selection");
}
