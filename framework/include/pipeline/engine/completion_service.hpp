// The host's "pipeline.completion" C service (plugin.h): a thin adapter over the top of the
// completion stack. The call inherits the frame of the step whose context the plugin passes,
// so its tokens and cost land in that step's execution record.
//
//   CompletionService svc(stack->top());
//   plugins.register_service(PL_SERVICE_COMPLETION, svc.service());
#pragma once

#include <pipeline/plugin.h>
#include <pipeline/llm/completion.hpp>

namespace pipeline {

class CompletionService {
 public:
  explicit CompletionService(Completion& top);
  CompletionService(const CompletionService&) = delete;
  CompletionService& operator=(const CompletionService&) = delete;

  // The ABI struct to register with PluginHost under PL_SERVICE_COMPLETION.
  const pl_service_header* service() const { return &c_.header; }

 private:
  static int32_t c_complete(void* self, const pl_call_context* ctx, const char* req, size_t len,
                            pl_buffer* out, pl_buffer* err);
  Completion& top_;
  pl_completion_service_v1 c_{};
};

}  // namespace pipeline
