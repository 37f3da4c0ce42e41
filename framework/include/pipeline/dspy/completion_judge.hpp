// The LM call of an llm_judge metric, through a Completion (the runtime's stack, or an
// optimization's budgeted layer), so judge calls are cached, costed, budgeted and cancellable
// like every other call. Shared by `pipeline evaluate` and `pipeline optimize`.
//
//   auto judge = completion_judge(runtime.completion(), "mock", cancel,
//                                 CallFrame{.run_id = "evaluate", .step = "s:llm_judge"});
//   auto metric = make_metric(spec, sig, judge);
#pragma once

#include <pipeline/dspy/metric.hpp>
#include <pipeline/llm/completion.hpp>

#include <string>

namespace pipeline::dspy {

// `lm` must outlive the judge; `frame` is copied (its log, when set, must outlive it too).
JudgeCall completion_judge(Completion& lm, std::string provider, CancellationToken cancel,
                           CallFrame frame);

}  // namespace pipeline::dspy
