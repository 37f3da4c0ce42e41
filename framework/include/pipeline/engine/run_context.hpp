// The state of one run that steps read and write: step results, variables, global_vars, inputs.
// It answers the paths used by interpolation, conditions and previous_response.
//
//   RunContext ctx(wf.global_vars, inputs);
//   ctx.set_result("analyze", output);
//   ctx.resolve("steps.analyze.text");
#pragma once

#include <pipeline/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

class RunContext {
 public:
  RunContext() = default;
  RunContext(json::object global_vars, json::object inputs)
      : global_vars_(std::move(global_vars)), inputs_(std::move(inputs)) {}

  void set_result(const std::string& step, json::value output);
  const json::value* result(std::string_view step) const;
  bool has_result(std::string_view step) const { return result(step) != nullptr; }
  void set_variable(const std::string& name, json::value value);

  // Lookup order for a bare name: variables, then step results, then global_vars, then inputs.
  // Prefixed paths: steps.X..., global_vars.X, inputs.X, state.X / variables.X / vars.X,
  // previous_response:STEP[.path].
  std::optional<json::value> resolve(std::string_view path) const;

  const json::object& results() const { return results_; }
  const json::object& variables() const { return variables_; }
  const json::object& global_vars() const { return global_vars_; }
  const json::object& inputs() const { return inputs_; }

  // The whole state as JSON and back (checkpoints, nested pipelines).
  json::object to_json() const;
  static RunContext from_json(const json::object& state);

 private:
  json::object results_;
  json::object variables_;
  json::object global_vars_;
  json::object inputs_;
};

// The text of a step result: a string as it is; an LLM result's "text"; anything else as JSON.
std::string result_text(const json::value& result);

// A dot path into a step result; when the result is an LLM reply whose text is JSON, the path is
// also looked up inside that JSON (previous_response `extract`). nullopt when nothing is there.
std::optional<json::value> extract_from_result(const json::value& result, std::string_view path);

}  // namespace pipeline
