// The host's "pipeline.executor" service (plugin.h): control-flow step plugins (for_loop,
// while_loop, nested pipeline) run sub-steps through it, in child scopes of the calling step,
// with the same Executor, so sub-steps get prompts, interpolation, conditions, plugins and
// warnings exactly like top-level steps.
//
//   ExecutorService svc(runtime);
//   plugins.register_service(PL_SERVICE_EXECUTOR, svc.service());
//   auto frame = svc.enter(call_ctx.raw(), {&executor, &wf, &step, &ctx, depth, stack});
//   step->execute(input, call_ctx);   // the plugin may call open_scope / run_steps / ...
#pragma once

#include <pipeline/plugin.h>
#include <pipeline/config/workflow.hpp>
#include <pipeline/engine/run_context.hpp>
#include <pipeline/llm/call_record.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pipeline {

class Executor;

// What a running step is: the host-side facts a service call from its plugin needs.
struct StepFrame {
  Executor* executor = nullptr;
  const Workflow* workflow = nullptr;
  const StepConfig* step = nullptr;
  RunContext* ctx = nullptr;  // the scope the step runs in (read-only while the step runs)
  int depth = 0;              // nested-pipeline depth, 0 for the top-level workflow
  std::vector<std::string> pipeline_stack;  // canonical files of the enclosing pipelines
  CallLog* calls = nullptr;  // the step's call log; sub-steps' calls are added to it too
};

class ExecutorService {
 public:
  ExecutorService();
  ExecutorService(const ExecutorService&) = delete;
  ExecutorService& operator=(const ExecutorService&) = delete;

  const pl_service_header* service() const { return &c_.header; }

  // Keeps `frame` reachable from `ctx` while the step's plugin runs; scopes the plugin forgot
  // to close are released when the guard ends.
  class FrameGuard {
   public:
    FrameGuard(ExecutorService* svc, const pl_call_context* ctx) : svc_(svc), ctx_(ctx) {}
    FrameGuard(FrameGuard&& o) noexcept : svc_(o.svc_), ctx_(o.ctx_) { o.svc_ = nullptr; }
    FrameGuard(const FrameGuard&) = delete;
    FrameGuard& operator=(const FrameGuard&) = delete;
    ~FrameGuard();

   private:
    ExecutorService* svc_;
    const pl_call_context* ctx_;
  };
  [[nodiscard]] FrameGuard enter(const pl_call_context* ctx, StepFrame frame);

  // Number of scopes open right now (tests check that plugins close what they open).
  std::size_t open_scopes() const;

 private:
  struct Frame;
  struct Scope;
  std::shared_ptr<Frame> frame_of(const pl_call_context* ctx) const;
  std::shared_ptr<Scope> scope_of(uint64_t id) const;

  static int32_t c_open_scope(void* self, const pl_call_context* ctx, const char* options,
                              size_t len, uint64_t* out, pl_buffer* error);
  static int32_t c_run_steps(void* self, const pl_call_context* ctx, uint64_t scope,
                             const char* req, size_t len, pl_buffer* out, pl_buffer* error);
  static int32_t c_evaluate(void* self, uint64_t scope, const char* req, size_t len, pl_buffer* out,
                            pl_buffer* error);
  static int32_t c_close_scope(void* self, uint64_t scope, pl_buffer* final_state);
  static int32_t c_run_pipeline(void* self, const pl_call_context* ctx, const char* req, size_t len,
                                pl_buffer* out, pl_buffer* error);

  pl_executor_service_v1 c_{};
  mutable std::mutex mu_;
  std::map<const pl_call_context*, std::shared_ptr<Frame>> frames_;
  std::map<uint64_t, std::shared_ptr<Scope>> scopes_;
  uint64_t next_scope_ = 1;
};

}  // namespace pipeline
