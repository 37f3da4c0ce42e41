// Steps that run as DSPy programs in a run (`pipeline run --mode dspy_optimized --program
// STEP=FILE[:PREDICTOR]`): each named step's signature is bound to a predictor of the file and run
// through Predict instead of its plugin. The step keeps its type's result shape (`text` is the
// first output field that is not `reasoning`) and adds `outputs`, `mode`, `program`.
//
//   ProgramSteps steps(completion);
//   steps.add(workflow, "extract=prog.json:extract.predict");   // errors name the step and file
//   auto r = steps.run(step, resolver, ctx, provider);         // nullopt: not a program step
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/dspy/predict.hpp>
#include <pipeline/engine/expression.hpp>
#include <pipeline/llm/completion.hpp>

#include <map>
#include <optional>
#include <string>

namespace pipeline::dspy {

struct ProgramStepResult {
  json::value result;  // the step's result (also on failure: it carries the typed error)
  std::string error;   // empty on success
};

// The result document of a step run as a program.
json::object program_step_result(const Predict& p, const PredictResult& r);

class ProgramSteps {
 public:
  explicit ProgramSteps(Completion& lm) : lm_(lm) {}
  // "STEP=FILE[:PREDICTOR]"; bad input (unknown step, no signature, field mismatch, ReAct) is an
  // error naming it.
  Status add(const Workflow& wf, const std::string& spec);
  bool empty() const { return steps_.empty(); }
  std::optional<ProgramStepResult> run(const StepConfig& step, const PathResolver& resolve,
                                       const CallContext& ctx, const std::string& provider) const;

 private:
  Completion& lm_;
  std::map<std::string, Predict> steps_;
};

}  // namespace pipeline::dspy
