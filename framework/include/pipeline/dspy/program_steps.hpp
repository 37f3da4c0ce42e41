// The dspy_optimized step strategy: steps named with `pipeline run --mode dspy_optimized
// --program STEP=FILE[:PREDICTOR]` have their signature bound to a predictor of the file and run
// through Predict instead of their plugin. The step keeps its type's result shape (`text` is the
// first output field that is not `reasoning`) and adds `outputs`, `mode`, `program`; a parse
// failure fails the step and its result carries the typed error with the raw reply.
//
//   ProgramSteps steps(runtime.completion());
//   steps.add(workflow, "extract=prog.json:extract.predict");   // errors name the step and file
//   exec.choose_strategy = [&](const StepConfig& s) { return steps.handles(s) ? &steps : nullptr;
//   };
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/dspy/predict.hpp>
#include <pipeline/dspy/program.hpp>
#include <pipeline/engine/step_strategy.hpp>
#include <pipeline/llm/completion.hpp>

#include <map>
#include <string>

namespace pipeline::dspy {

// The result document of a step run as a program; `source` (file | cache), when given, is its
// `program_source`.
json::object program_step_result(const Predict& p, const PredictResult& r,
                                 const std::string& source = {});

class ProgramSteps : public StepStrategy {
 public:
  explicit ProgramSteps(Completion& lm) : lm_(lm) {}
  // "STEP=FILE[:PREDICTOR]"; bad input (unknown step, no signature, field mismatch, ReAct) is an
  // error naming it.
  Status add(const Workflow& wf, const std::string& spec);
  // Binds step `step_name` to a program already in hand (the optimization cache's): `source`
  // says where it came from ("file" | "cache") and `origin` names it in the result's `program`.
  Status add_program(const Workflow& wf, const std::string& step_name, const Program& program,
                     const std::string& predictor, const std::string& origin,
                     const std::string& source);
  bool handles(const StepConfig& step) const { return steps_.count(step.name) > 0; }

  std::string_view mode() const override { return "dspy_optimized"; }
  Result<json::object> run(const PreparedStep& prepared, const StepRun& run) override;
  std::string program_source(const StepConfig& step) const override;
  // The id of the program bound to `step` (its `program` in the result); empty when none.
  std::string program_id(const StepConfig& step) const;

 private:
  Completion& lm_;
  std::map<std::string, Predict> steps_;
  std::map<std::string, std::string> sources_;  // step -> file | cache
};

}  // namespace pipeline::dspy
