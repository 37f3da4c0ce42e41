#include <pipeline/plugins/call_context.hpp>

namespace pipeline {

CallContext::CallContext() : CallContext(CancellationToken{}) {}

CallContext::CallContext(CancellationToken token, std::optional<Clock::duration> timeout,
                         EmitFn on_emit)
    : token_(std::move(token)), on_emit_(std::move(on_emit)) {
  if (timeout) deadline_ = Clock::now() + *timeout;
  c_.struct_size = sizeof(pl_call_context);
  c_.host_data = this;
  c_.cancelled = &c_cancelled;
  c_.deadline_ms_left = &c_deadline;
  c_.emit = &c_emit;
}

CallContext CallContext::forwarding(const pl_call_context* raw) {
  // Only a context this host made has a CallContext behind host_data; a plugin's own is opaque.
  const CallFrame* frame = nullptr;
  if (raw != nullptr && raw->cancelled == &c_cancelled) {
    frame = static_cast<const CallContext*>(raw->host_data)->frame_;
  }
  return CallContext(Forward{}, raw, frame);
}

bool CallContext::cancelled() const {
  if (forwarded_ != nullptr) {
    return forwarded_->cancelled != nullptr && forwarded_->cancelled(forwarded_) != 0;
  }
  return token_.cancelled();
}

int64_t CallContext::deadline_ms_left() const {
  if (forwarded_ != nullptr) {
    return forwarded_->deadline_ms_left != nullptr ? forwarded_->deadline_ms_left(forwarded_) : -1;
  }
  if (!deadline_) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now());
  return std::max<int64_t>(0, left.count());
}

int32_t CallContext::c_cancelled(const pl_call_context* self) {
  return static_cast<const CallContext*>(self->host_data)->cancelled() ? 1 : 0;
}

int64_t CallContext::c_deadline(const pl_call_context* self) {
  return static_cast<const CallContext*>(self->host_data)->deadline_ms_left();
}

int32_t CallContext::c_emit(const pl_call_context* self, const char* kind, size_t kind_len,
                            const char* data, size_t data_len) {
  const auto* ctx = static_cast<const CallContext*>(self->host_data);
  if (ctx->token_.cancelled()) return PL_CANCELLED;
  if (!ctx->on_emit_) return PL_OK;
  try {
    return ctx->on_emit_(std::string_view(kind, kind_len), std::string_view(data, data_len))
               ? PL_OK
               : PL_CANCELLED;
  } catch (...) {
    return PL_INTERNAL;
  }
}

}  // namespace pipeline
