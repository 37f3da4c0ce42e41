// The mipro_v2 optimizer plugin: the search logic of mipro_v2.cpp behind pl_optimizer_vtable,
// every call through the host's pipeline.program service.
#include "mipro_v2.hpp"

#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>
#include <pipeline/plugin.hpp>

namespace {

class MiproV2 : public pipeline::sdk::Optimizer {
 public:
  using Optimizer::Optimizer;
  std::string optimize(const pipeline::sdk::CallContext& ctx, std::string_view task_json) override {
    using namespace pipeline::optimizer;
    const Task task = Task::parse(task_json);
    const MiproSettings settings = MiproSettings::parse(task.params);
    ServiceSearchHost host(this->host(), ctx);
    const MiproResult r = mipro_v2(host, task, settings);
    return boost::json::serialize(r.best.to_json());
  }
};

}  // namespace

PIPELINE_PLUGIN("optimizer_mipro_v2", "1.0.0",
                "MIPROv2: LM-proposed instructions x bootstrapped demo sets, TPE search") {
  r.add_optimizer<MiproV2>("mipro_v2", "1.0.0", PL_FLAG_CONCURRENT,
                           "MIPROv2 (DSPy 3.3): instruction proposals from the LM and "
                           "bootstrapped demo sets, searched by a seeded TPE on minibatches");
}
