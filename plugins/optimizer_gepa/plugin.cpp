// The gepa optimizer plugin: the search logic of gepa.cpp behind pl_optimizer_vtable, every call
// through the host's pipeline.program service.
#include "gepa.hpp"

#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>
#include <pipeline/plugin.hpp>

namespace {

class Gepa : public pipeline::sdk::Optimizer {
 public:
  using Optimizer::Optimizer;
  std::string optimize(const pipeline::sdk::CallContext& ctx, std::string_view task_json) override {
    using namespace pipeline::optimizer;
    const Task task = Task::parse(task_json);
    const GepaSettings settings = GepaSettings::parse(task.params, task);
    ServiceSearchHost host(this->host(), ctx);
    const GepaResult r = gepa(host, task, settings);
    return boost::json::serialize(r.best.to_json());
  }
};

}  // namespace

PIPELINE_PLUGIN("optimizer_gepa", "1.0.0",
                "GEPA: reflective instruction evolution over a Pareto front") {
  r.add_optimizer<Gepa>("gepa", "1.0.0", PL_FLAG_CONCURRENT,
                        "GEPA (DSPy 3.3 / gepa): a reflection LM rewrites the instruction from "
                        "failing examples and the metric's feedback; Pareto-front selection");
}
