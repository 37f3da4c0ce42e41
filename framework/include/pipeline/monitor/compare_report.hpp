// What `pipeline compare` prints: for each step of a workflow, its two variants side by side
// (summarize over the history), the difference, the recommendation with its reason, and the
// adaptive A/B decision when the step's ab_policy is adaptive. Pure over a History, so tests feed
// it an in-memory one and the CLI the runtime's.
//
//   auto report = compare_report(workflow, history, {.step = "classify"});
//   if (!report) return report.status();          // unknown step, history unreadable
//   std::cout << json::serialize(*report);         // or format_compare_report(*report)
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/hybrid/hybrid_config.hpp>
#include <pipeline/json.hpp>
#include <pipeline/monitor/history.hpp>
#include <pipeline/monitor/mode_stats.hpp>
#include <pipeline/status.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pipeline {

struct CompareOptions {
  std::string step{};              // empty: every step with a signature or with history
  std::int64_t since_unix_ms = 0;  // only records that finished at or after this
};

// {"workflow", "steps": [{"step", "traditional": ModeStats::to_json, "dspy_optimized": ...,
//   "difference": ModeDifference::to_json, "recommendation", "reason",
//   "samples_needed": {"traditional", "dspy_optimized"} (only while data is missing),
//   "adaptive": AdaptiveDecision::to_json (only under ab_policy adaptive)}]}
// Steps in workflow order; min_samples and ab_policy per step from its hybrid_config. An unknown
// `step` is INVALID_ARGUMENT naming the known ones; a failing history query passes its error on.
Result<json::object> compare_report(const Workflow& wf, const History& history,
                                    const CompareOptions& options);

// One entry of "steps" above from the step's two variants summarized and its effective
// hybrid_config (min_samples, ab_policy, confidence): what `pipeline report` shows as compare's
// recommendation, so both commands always agree.
json::object compare_step(std::string_view step, const ModeStats& traditional,
                          const ModeStats& dspy, const HybridConfig& cfg);

// The report as aligned text, one block per step.
std::string format_compare_report(const json::object& report);

}  // namespace pipeline
