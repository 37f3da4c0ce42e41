// What `pipeline report` writes: one self-contained HTML page over step records. A summary
// (workflows, runs, records, total cost, time span), then per workflow the recommendations of
// `pipeline compare` and per step its A/B evidence (each variant's executions, mean quality with
// its 95% interval, latency, cost, success, cache hit rate), the decision and its reason, charts
// of quality, cost per call and latency per variant over time buckets chosen from the data's
// span, and the fallback hops by class.
//
// Self-contained on purpose: it is opened from disk or a mail attachment, so it has inline CSS,
// inline SVG drawn here (svg_chart), no script, and a Content-Security-Policy that forbids any
// request. Every text that comes from a record is HTML-escaped.
//
//   auto records = history.query({.since_unix_ms = since});   // every workflow
//   std::string page = html_report(*records, {.generated_unix_ms = now});
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/monitor/step_record.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace pipeline {

struct HtmlReportOptions {
  std::string workflow{};          // the workflow asked for (the header says so); empty: all
  std::int64_t since_unix_ms = 0;  // the records' lower bound (they are filtered already); 0: none
  std::string since_text{};        // the --since argument as typed, for the summary
  std::int64_t generated_unix_ms = 0;
  // A loaded workflow whose records the page shows: its steps come first in its order, and their
  // recommendations use its hybrid_config (min_samples, ab_policy, confidence), exactly as
  // `pipeline compare` does. Other workflows' steps use the defaults.
  const Workflow* workflow_config = nullptr;
};

// The page. With no records, a valid page saying there is nothing recorded yet.
std::string html_report(std::span<const StepRecord> records, const HtmlReportOptions& options);

// The policy the page declares (also what the headless-browser test relies on).
inline constexpr const char* kReportContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

}  // namespace pipeline
