// The host's "pipeline.program" v1 C service (plugin.h, pl_program_service_v1): the functions an
// optimizer plugin calls to run, score and evaluate candidates, ask the LM, report progress and
// read its budget. One service serves every optimization of the runtime: a call is routed to the
// session whose optimize() handed the plugin that `ctx` (attach() registers it for the duration
// of the plugin call). A context no running optimization owns is PL_FAILED_PRECONDITION.
//
//   ProgramService svc;
//   plugins.register_service(PL_SERVICE_PROGRAM, svc.service());
//   { auto routed = svc.attach(ctx.raw(), session); optimizer.optimize(task, ctx); }
#pragma once

#include <pipeline/plugin.h>

#include <map>
#include <shared_mutex>

namespace pipeline {

class OptimizationSession;

class ProgramService {
 public:
  ProgramService();
  ProgramService(const ProgramService&) = delete;
  ProgramService& operator=(const ProgramService&) = delete;

  const pl_service_header* service() const { return &c_.header; }

  // Routes the calls made with `ctx` to `session` until the returned handle is destroyed.
  class Attachment {
   public:
    Attachment(ProgramService& svc, const pl_call_context* ctx) : svc_(&svc), ctx_(ctx) {}
    Attachment(Attachment&& o) noexcept : svc_(o.svc_), ctx_(o.ctx_) { o.svc_ = nullptr; }
    Attachment& operator=(Attachment&&) = delete;
    ~Attachment();

   private:
    ProgramService* svc_;
    const pl_call_context* ctx_;
  };
  [[nodiscard]] Attachment attach(const pl_call_context* ctx, OptimizationSession& session);
  // The session a context belongs to (nullptr when none).
  OptimizationSession* find(const pl_call_context* ctx) const;

 private:
  static int32_t c_run(void* self, const pl_call_context* ctx, const char* req, size_t len,
                       pl_buffer* out, pl_buffer* err);
  static int32_t c_score(void* self, const pl_call_context* ctx, const char* req, size_t len,
                         pl_buffer* out, pl_buffer* err);
  static int32_t c_evaluate(void* self, const pl_call_context* ctx, const char* req, size_t len,
                            pl_buffer* out, pl_buffer* err);
  static int32_t c_lm(void* self, const pl_call_context* ctx, const char* req, size_t len,
                      pl_buffer* out, pl_buffer* err);
  static int32_t c_progress(void* self, const pl_call_context* ctx, const char* event, size_t len);
  static int32_t c_budget(void* self, const pl_call_context* ctx, pl_buffer* out);

  mutable std::shared_mutex mu_;
  std::map<const pl_call_context*, OptimizationSession*> sessions_;
  pl_program_service_v1 c_{};
};

}  // namespace pipeline
