#include <pipeline/engine/run_result.hpp>

namespace pipeline {

std::string step_state_name(StepOutcome::State s) {
  switch (s) {
    case StepOutcome::State::kCompleted:
      return "completed";
    case StepOutcome::State::kSkipped:
      return "skipped";
    case StepOutcome::State::kFailed:
      return "failed";
    case StepOutcome::State::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

json::object RunResult::to_json() const {
  json::object o;
  o["workflow"] = workflow;
  o["success"] = success;
  o["status"] = success ? "completed" : cancelled ? "cancelled" : "failed";
  o["exit_code"] = exit_code();
  o["duration_ms"] = duration_ms;
  json::array steps_json;
  for (const auto& s : steps) {
    json::object so;
    so["name"] = s.name;
    so["type"] = s.type;
    so["status"] = step_state_name(s.state);
    so["duration_ms"] = s.duration_ms;
    if (!s.reason.empty()) so["reason"] = s.reason;
    if (!s.provider.empty()) so["provider"] = s.provider;
    if (!s.output_file.empty()) so["output_file"] = s.output_file;
    so["record"] = s.record.to_json();
    steps_json.push_back(std::move(so));
  }
  o["steps"] = std::move(steps_json);
  o["results"] = results;
  o["variables"] = variables;
  if (!resumed_from.empty()) o["resumed_from"] = resumed_from;
  if (!success) {
    o["error"] = json::object{
        {"step", failed_step}, {"message", error}, {"class", cancelled ? "cancelled" : "failed"}};
  }
  json::array w;
  for (const auto& s : warnings) w.emplace_back(s);
  o["warnings"] = std::move(w);
  o["totals"] = json::object{{"llm_calls", totals.calls},
                             {"cache_hits", totals.cache_hits},
                             {"llm_failures", totals.failures},
                             {"input_tokens", totals.input_tokens},
                             {"output_tokens", totals.output_tokens},
                             {"cost_usd", totals.cost_usd}};
  // Only a run that hopped says so: the totals of every other run keep their shape.
  if (totals.fallback_hops > 0) o["totals"].as_object()["fallback_hops"] = totals.fallback_hops;
  return o;
}

}  // namespace pipeline
