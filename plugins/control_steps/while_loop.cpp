#include "loops.hpp"
#include "step_json.hpp"

#include <pipeline/sdk/json_parse.hpp>

namespace control_steps {

using pipeline::sdk::CallContext;
using pipeline::sdk::Error;
using pipeline::sdk::ExecutorScope;

namespace {
constexpr int64_t kDefaultMaxIterations = 100;
constexpr int64_t kMaxIterationsLimit = 1000;  // pipeline_ex's hard ceiling
}  // namespace

std::string WhileLoopStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value input = pipeline::sdk::parse_json(input_json);
  const json::object& step = step_of(input);
  const json::value* condition = step.if_contains("condition");
  if (condition == nullptr) throw Error(PL_INVALID_ARGUMENT, "while_loop needs 'condition'");
  int64_t max_iterations = int_or(step, "max_iterations", kDefaultMaxIterations);
  if (max_iterations > kMaxIterationsLimit) {
    host().warn("while_loop: max_iterations " + std::to_string(max_iterations) +
                " exceeds the limit; using " + std::to_string(kMaxIterationsLimit));
    max_iterations = kMaxIterationsLimit;
  }
  if (max_iterations < 1) max_iterations = kDefaultMaxIterations;

  ExecutorScope scope(host(), ctx);
  json::object out;
  json::array iterations;
  int64_t i = 0;
  bool reached_limit = false;
  for (;; ++i) {
    if (ctx.cancelled()) throw Error(PL_CANCELLED, "while_loop cancelled");
    json::object vars{{"loop", json::object{{"index", i}, {"iteration", i + 1}}}};
    scope.run_steps(json::serialize(json::object{{"steps", json::array()}, {"variables", vars}}));
    json::value c = pipeline::sdk::parse_json(
        scope.evaluate(json::serialize(json::object{{"condition", *condition}})));
    if (!c.as_object()["value"].as_bool()) break;
    if (i >= max_iterations) {
      reached_limit = true;
      break;
    }
    auto resp = pipeline::sdk::parse_json(scope.run_steps(R"({"field":"steps"})")).as_object();
    if (!resp["success"].as_bool()) {
      throw Error(PL_ABORTED, "while_loop iteration " + std::to_string(i + 1) +
                                  " failed at step '" + string_or(resp, "failed_step", "?") +
                                  "': " + string_or(resp, "error", "unknown error"));
    }
    iterations.push_back(json::object{{"iteration", i + 1}, {"results", resp["results"]}});
  }
  out["iterations"] = i;
  out["results"] = std::move(iterations);
  out["success"] = !reached_limit;
  out["condition_met"] = false;
  if (reached_limit) {
    out["max_iterations_reached"] = true;
    out["reason"] = "Maximum iterations exceeded";
    host().warn("while_loop stopped after max_iterations (" + std::to_string(max_iterations) +
                ") with its condition still true");
  }
  json::value state = pipeline::sdk::parse_json(scope.close());
  json::object vars = state.as_object()["variables"].as_object();
  vars.erase("loop");
  return json::serialize(
      json::object{{"output", std::move(out)}, {"set_variables", std::move(vars)}});
}

std::string WhileLoopStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  const json::object& step = v.as_object();
  Diagnostics d;
  if (!step.contains("condition")) d.error("condition", "while_loop needs 'condition'");
  const auto* steps = step.if_contains("steps");
  if (steps == nullptr || !steps->is_array() || steps->get_array().empty()) {
    d.error("steps", "while_loop needs a non-empty 'steps' list");
  }
  if (int_or(step, "max_iterations", kDefaultMaxIterations) > kMaxIterationsLimit) {
    d.warning("max_iterations", "max_iterations above 1000 is lowered to 1000");
  }
  return d.str();
}

}  // namespace control_steps
