#include <pipeline/engine/completion_service.hpp>

#include <pipeline/plugin.hpp>

namespace pipeline {

CompletionService::CompletionService(Completion& top) : top_(top) {
  c_.header.struct_size = sizeof(c_);
  c_.header.version = 1;
  c_.header.host_data = this;
  c_.complete = &c_complete;
}

int32_t CompletionService::c_complete(void* self, const pl_call_context* ctx, const char* req,
                                      size_t len, pl_buffer* out, pl_buffer* err) {
  auto* svc = static_cast<CompletionService*>(self);
  CallContext forwarded = CallContext::forwarding(ctx);
  // A context the host did not make (or none) serves no step: the call is unattributed.
  static const CallFrame kNoFrame{};
  const CallFrame& frame = forwarded.frame() != nullptr ? *forwarded.frame() : kNoFrame;
  CallResult r = svc->top_.complete(std::string_view(req == nullptr ? "" : req, len),
                                    CompletionCall{forwarded, frame});
  sdk::append(out, r.body);
  sdk::append(err, r.error);
  return r.status;
}

}  // namespace pipeline
