#include <pipeline/optimize/program_service.hpp>

#include <pipeline/optimize/optimization_session.hpp>
#include <pipeline/plugin.hpp>

#include <mutex>

namespace pipeline {

namespace {

constexpr const char* kNoSession =
    "pipeline.program: this context belongs to no running optimization (pass the ctx that "
    "optimize() received)";

using Call = Result<json::object> (OptimizationSession::*)(const json::value&);

// Parses the request, calls the session, writes the answer: the same for run/score/evaluate/lm.
int32_t serve(const ProgramService& svc, const pl_call_context* ctx, const char* req, size_t len,
              pl_buffer* out, pl_buffer* err, Call call) {
  OptimizationSession* s = svc.find(ctx);
  if (s == nullptr) {
    sdk::append(err, kNoSession);
    return PL_FAILED_PRECONDITION;
  }
  try {
    auto doc = parse_json(std::string_view(req == nullptr ? "" : req, len));
    if (!doc) {
      sdk::append(err, "pipeline.program: the request is not JSON: " + doc.status().message());
      return PL_INVALID_ARGUMENT;
    }
    Result<json::object> r = (s->*call)(*doc);
    if (!r) {
      sdk::append(err, r.status().message());
      return static_cast<int32_t>(r.status().code());
    }
    sdk::append(out, json::serialize(*r));
    return PL_OK;
  } catch (const std::exception& e) {
    sdk::append(err, std::string("pipeline.program: ") + e.what());
    return PL_INTERNAL;
  }
}

}  // namespace

ProgramService::ProgramService() {
  c_.header.struct_size = sizeof(c_);
  c_.header.version = 1;
  c_.header.host_data = this;
  c_.run = &c_run;
  c_.score = &c_score;
  c_.evaluate = &c_evaluate;
  c_.lm = &c_lm;
  c_.progress = &c_progress;
  c_.budget = &c_budget;
}

ProgramService::Attachment::~Attachment() {
  if (svc_ == nullptr) return;
  std::unique_lock lock(svc_->mu_);
  svc_->sessions_.erase(ctx_);
}

ProgramService::Attachment ProgramService::attach(const pl_call_context* ctx,
                                                  OptimizationSession& session) {
  std::unique_lock lock(mu_);
  sessions_[ctx] = &session;
  return Attachment(*this, ctx);
}

OptimizationSession* ProgramService::find(const pl_call_context* ctx) const {
  std::shared_lock lock(mu_);
  auto it = sessions_.find(ctx);
  return it == sessions_.end() ? nullptr : it->second;
}

int32_t ProgramService::c_run(void* self, const pl_call_context* ctx, const char* req, size_t len,
                              pl_buffer* out, pl_buffer* err) {
  return serve(*static_cast<ProgramService*>(self), ctx, req, len, out, err,
               &OptimizationSession::run);
}
int32_t ProgramService::c_score(void* self, const pl_call_context* ctx, const char* req, size_t len,
                                pl_buffer* out, pl_buffer* err) {
  return serve(*static_cast<ProgramService*>(self), ctx, req, len, out, err,
               &OptimizationSession::score);
}
int32_t ProgramService::c_evaluate(void* self, const pl_call_context* ctx, const char* req,
                                   size_t len, pl_buffer* out, pl_buffer* err) {
  return serve(*static_cast<ProgramService*>(self), ctx, req, len, out, err,
               &OptimizationSession::evaluate);
}
int32_t ProgramService::c_lm(void* self, const pl_call_context* ctx, const char* req, size_t len,
                             pl_buffer* out, pl_buffer* err) {
  return serve(*static_cast<ProgramService*>(self), ctx, req, len, out, err,
               &OptimizationSession::lm);
}

int32_t ProgramService::c_progress(void* self, const pl_call_context* ctx, const char* event,
                                   size_t len) {
  OptimizationSession* s = static_cast<ProgramService*>(self)->find(ctx);
  if (s == nullptr) return PL_FAILED_PRECONDITION;
  try {
    auto doc = parse_json(std::string_view(event == nullptr ? "" : event, len));
    return s->progress(doc ? *doc : json::value(json::object{})) ? PL_OK : PL_CANCELLED;
  } catch (const std::exception&) {
    return s->cancelled() ? PL_CANCELLED : PL_OK;
  }
}

int32_t ProgramService::c_budget(void* self, const pl_call_context* ctx, pl_buffer* out) {
  OptimizationSession* s = static_cast<ProgramService*>(self)->find(ctx);
  if (s == nullptr) return PL_FAILED_PRECONDITION;
  sdk::append(out, json::serialize(s->budget_status()));
  return PL_OK;
}

}  // namespace pipeline
