// The host's CompletionService seen through pipeline::Completion, so Predict::run can call it.
// A bridge until the layered completion stack (recording -> metering -> cache -> fallback ->
// provider) implements Completion itself; then callers pass that stack instead. The service
// already applies the response cache, retries (in the providers), cost and cancellation.
//
//   ServiceCompletion lm(runtime.completion());
//   lm.complete(request_json, CompletionCall{ctx, frame});
#pragma once

#include <pipeline/engine/completion_service.hpp>
#include <pipeline/llm/completion.hpp>

namespace pipeline::dspy {

class ServiceCompletion : public Completion {
 public:
  explicit ServiceCompletion(CompletionService& service) : service_(service) {}
  CallResult complete(std::string_view request_json, const CompletionCall& call) override {
    return service_.complete(request_json, call.ctx);
  }

 private:
  CompletionService& service_;
};

}  // namespace pipeline::dspy
