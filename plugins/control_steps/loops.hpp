// Loop step types: for_loop (sequential or parallel over a list) and while_loop. Their bodies run
// through the host's "pipeline.executor" service, one child scope per loop (sequential) or per
// iteration (parallel), so sub-steps behave exactly like top-level steps.
#pragma once

#include <pipeline/plugin.hpp>

namespace control_steps {

class ForLoopStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;
};

class WhileLoopStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;
};

// `pipeline`: runs another workflow (pipeline_file or inline `pipeline:`) as one step.
class NestedPipelineStep : public pipeline::sdk::Step {
 public:
  using Step::Step;
  std::string execute(const pipeline::sdk::CallContext& ctx, std::string_view input_json) override;
  std::string validate(std::string_view step_json) override;
};

}  // namespace control_steps
