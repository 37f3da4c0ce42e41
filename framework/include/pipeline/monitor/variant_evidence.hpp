// The router's evidence for one step: its recorded executions split by variant and summarized,
// from one History query (workflow, step, signature hash). What StepRouter's RouteInput takes
// and what `pipeline compare` shows per step.
//
//   auto ev = variant_evidence(history, {.workflow = "triage", .step = "classify",
//                                        .signature_hash = sig.hash()});
//   if (ev) router.route({..., .traditional = ev->traditional, .dspy = ev->dspy, ...});
#pragma once

#include <pipeline/monitor/history.hpp>
#include <pipeline/monitor/mode_stats.hpp>
#include <pipeline/status.hpp>

namespace pipeline {

struct VariantEvidence {
  ModeStats traditional;
  ModeStats dspy;
  std::int64_t records = 0;  // records of either variant (others are ignored)
};

// `q.variant` is ignored (both are wanted); records whose variant is neither name are skipped.
// A failing query passes its error on.
Result<VariantEvidence> variant_evidence(const History& history, HistoryQuery q);

}  // namespace pipeline
