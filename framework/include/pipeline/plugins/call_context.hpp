// The host side of pl_call_context: cancellation, deadline and a streaming callback for one call.
//
//   CancellationToken cancel;
//   CallContext ctx(cancel, std::chrono::seconds(30), [](auto kind, auto data) { return true; });
//   provider->complete(request, ctx);
#pragma once

#include <pipeline/plugin.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace pipeline {

struct CallFrame;

// Shared by every call of a run; cancel() is seen by all of them.
class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true); }
  bool cancelled() const { return flag_->load(); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

class CallContext {
 public:
  using Clock = std::chrono::steady_clock;
  // Returns false to ask the plugin to stop.
  using EmitFn = std::function<bool(std::string_view kind, std::string_view data)>;

  CallContext();
  CallContext(CancellationToken token, std::optional<Clock::duration> timeout = std::nullopt,
              EmitFn on_emit = {});
  // Wraps a context that a plugin passed to a host service, so it travels on unchanged.
  static CallContext forwarding(const pl_call_context* raw);

  CallContext(const CallContext&) = delete;
  CallContext& operator=(const CallContext&) = delete;

  const pl_call_context* raw() const { return forwarded_ != nullptr ? forwarded_ : &c_; }
  // The frame of the step this call serves (see llm/call_frame.hpp). A context forwarded from
  // one the host made keeps its frame, so a plugin's host.complete() is attributed to its step.
  void set_frame(const CallFrame* frame) { frame_ = frame; }
  const CallFrame* frame() const { return frame_; }
  bool cancelled() const;
  int64_t deadline_ms_left() const;

 private:
  struct Forward {};
  CallContext(Forward, const pl_call_context* raw, const CallFrame* frame)
      : forwarded_(raw), frame_(frame) {}
  static int32_t c_cancelled(const pl_call_context* self);
  static int64_t c_deadline(const pl_call_context* self);
  static int32_t c_emit(const pl_call_context* self, const char* kind, size_t kind_len,
                        const char* data, size_t data_len);
  pl_call_context c_{};
  const pl_call_context* forwarded_ = nullptr;
  const CallFrame* frame_ = nullptr;
  CancellationToken token_;
  std::optional<Clock::time_point> deadline_;
  EmitFn on_emit_;
};

}  // namespace pipeline
