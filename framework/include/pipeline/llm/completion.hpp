// One LLM call, as a stack of layers in the spirit of spdlog's sinks: each layer implements
// Completion and wraps the next one (recording -> metering -> response cache -> fallback ->
// provider). The engine, the DSPy layer and a plugin's host.complete() all call the top of the
// stack, so every call gets the same cache, costing and attribution.
//
//   CallFrame frame{.run_id = "r1", .step = "summarize"};
//   CallResult r = stack.complete(request_json, CompletionCall{ctx, frame});
#pragma once

#include <pipeline/llm/call_frame.hpp>
#include <pipeline/llm/call_record.hpp>
#include <pipeline/plugins/call_context.hpp>
#include <pipeline/plugins/instances.hpp>

#include <string>
#include <string_view>

namespace pipeline {

struct CompletionCall {
  const CallContext& ctx;
  const CallFrame& frame;
  // What the layers below learned about this call (provider, tokens, cache hit...), filled on
  // the way back up; nullptr when the caller does not want it.
  CallRecord* record = nullptr;
};

class Completion {
 public:
  virtual ~Completion() = default;
  // `request_json` is the ABI's completion request (docs/abi.md); the result's body is the ABI's
  // completion response. Thread-safe: steps of a parallel for_loop call it concurrently.
  virtual CallResult complete(std::string_view request_json, const CompletionCall& call) = 0;
};

}  // namespace pipeline
