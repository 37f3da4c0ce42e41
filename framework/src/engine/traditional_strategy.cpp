#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/engine/traditional_strategy.hpp>

namespace pipeline {

Result<json::object> TraditionalStrategy::run(const PreparedStep& prepared, const StepRun& run) {
  const StepConfig& step = run.step;
  auto instance = runtime_.step(step.type);
  if (!instance) return instance.status();
  CallContext call_ctx(run.executor.options().cancel);
  call_ctx.set_frame(&run.frame);
  CallResult r;
  {
    // Control-flow plugins reach back into this run through the executor service.
    auto guard = runtime_.executor_service().enter(
        call_ctx.raw(), StepFrame{&run.executor, &run.workflow, &step, &run.ctx, run.depth,
                                  run.pipeline_stack, &run.calls});
    r = (*instance)->execute(json::serialize(prepared.input), call_ctx);
  }
  if (!r.ok()) {
    return Status(StatusCode(r.status), "step '" + step.name + "' (" + step.type +
                                            ") failed: " + status_code_name(r.status) +
                                            (r.error.empty() ? "" : ": " + r.error));
  }
  auto doc = parse_json(r.body);
  if (!doc || !doc->is_object() || !doc->get_object().contains("output")) {
    return internal_error(
        "step type '" + step.type + "' (plugin " +
        (*instance)->component().library()->info().file.string() +
        ") returned a malformed result: " +
        (doc ? std::string("expected a JSON object with \"output\"") : doc.status().message()));
  }
  return std::move(doc->get_object());
}

}  // namespace pipeline
