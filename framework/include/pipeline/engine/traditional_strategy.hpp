// The traditional strategy: the step's own plugin runs the step (and calls the LLM itself
// through host.complete()), with the executor service open for loops and nested pipelines.
//
//   TraditionalStrategy s(runtime);
//   auto doc = s.run(prepared, step_run);
#pragma once

#include <pipeline/engine/step_strategy.hpp>

namespace pipeline {

class Runtime;

class TraditionalStrategy : public StepStrategy {
 public:
  explicit TraditionalStrategy(Runtime& runtime) : runtime_(runtime) {}
  std::string_view mode() const override { return "traditional"; }
  Result<json::object> run(const PreparedStep& step, const StepRun& run) override;

 private:
  Runtime& runtime_;
};

}  // namespace pipeline
