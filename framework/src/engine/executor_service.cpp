#include <pipeline/engine/condition.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/executor_service.hpp>
#include <pipeline/engine/interpolation.hpp>
#include <pipeline/engine/prompt_builder.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/engine/workflow_validator.hpp>
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/limits.hpp>

#include <algorithm>
#include <set>

namespace pipeline {

namespace fs = std::filesystem;

struct ExecutorService::Frame {
  StepFrame info;
  std::mutex cache_mu;
  // Sub-step lists parsed from the step's JSON once per step execution (a 10,000-item loop
  // parses its body once, not 10,000 times).
  std::map<std::string, std::shared_ptr<const std::vector<StepConfig>>> sub_steps;
};

struct ExecutorService::Scope {
  std::shared_ptr<Frame> frame;
  RunContext ctx;
  std::mutex mu;  // one thread per scope by contract; the lock turns misuse into waiting
};

namespace {

void put(pl_buffer* b, std::string_view s) {
  sdk::append(b, s);
}

// previous_response:STEP:field (pipeline_ex's data_source form) reads as
// previous_response:STEP.field
std::string normalize_path(std::string path) {
  constexpr std::string_view kPrev = "previous_response:";
  if (path.rfind(kPrev, 0) == 0) {
    std::replace(path.begin() + static_cast<std::ptrdiff_t>(kPrev.size()), path.end(), ':', '.');
  }
  return path;
}

json::object parse_object(const char* text, size_t len, Status& st) {
  auto doc = parse_json(std::string_view(text == nullptr ? "" : text, text == nullptr ? 0 : len));
  if (!doc || !doc->is_object()) {
    st = invalid_argument(doc ? "expected a JSON object" : doc.status().message());
    return {};
  }
  return std::move(doc->get_object());
}

int32_t fail(pl_buffer* error, const Status& st) {
  put(error, st.message());
  return static_cast<int32_t>(st.code());
}

}  // namespace

ExecutorService::ExecutorService() {
  c_.header.struct_size = sizeof(c_);
  c_.header.version = 1;
  c_.header.host_data = this;
  c_.open_scope = &c_open_scope;
  c_.run_steps = &c_run_steps;
  c_.evaluate = &c_evaluate;
  c_.close_scope = &c_close_scope;
  c_.run_pipeline = &c_run_pipeline;
}

ExecutorService::FrameGuard ExecutorService::enter(const pl_call_context* ctx, StepFrame frame) {
  auto f = std::make_shared<Frame>();
  f->info = std::move(frame);
  std::lock_guard lock(mu_);
  frames_[ctx] = std::move(f);
  return FrameGuard(this, ctx);
}

ExecutorService::FrameGuard::~FrameGuard() {
  if (svc_ == nullptr) return;
  std::vector<std::shared_ptr<Scope>> leaked;  // destroyed outside the lock
  std::lock_guard lock(svc_->mu_);
  auto it = svc_->frames_.find(ctx_);
  if (it == svc_->frames_.end()) return;
  for (auto s = svc_->scopes_.begin(); s != svc_->scopes_.end();) {
    if (s->second->frame == it->second) {
      leaked.push_back(s->second);
      s = svc_->scopes_.erase(s);
    } else {
      ++s;
    }
  }
  svc_->frames_.erase(it);
}

std::size_t ExecutorService::open_scopes() const {
  std::lock_guard lock(mu_);
  return scopes_.size();
}

std::shared_ptr<ExecutorService::Frame> ExecutorService::frame_of(
    const pl_call_context* ctx) const {
  std::lock_guard lock(mu_);
  auto it = frames_.find(ctx);
  return it == frames_.end() ? nullptr : it->second;
}

std::shared_ptr<ExecutorService::Scope> ExecutorService::scope_of(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = scopes_.find(id);
  return it == scopes_.end() ? nullptr : it->second;
}

int32_t ExecutorService::c_open_scope(void* self, const pl_call_context* ctx, const char* options,
                                      size_t len, uint64_t* out, pl_buffer* error) {
  auto* svc = static_cast<ExecutorService*>(self);
  auto frame = svc->frame_of(ctx);
  if (!frame) {
    return fail(error, failed_precondition("open_scope: the call context is not that of a running "
                                           "step (pass the ctx your execute() received)"));
  }
  Status st;
  json::object opts = parse_object(options, len, st);
  if (!st.ok()) return fail(error, st);
  auto scope = std::make_shared<Scope>();
  scope->frame = frame;
  scope->ctx = RunContext::child_of(*frame->info.ctx);
  if (auto* v = opts.if_contains("variables"); v && v->is_object()) {
    for (const auto& kv : v->get_object())
      scope->ctx.set_variable(std::string(kv.key()), kv.value());
  }
  if (auto* v = opts.if_contains("inputs"); v && v->is_object())
    scope->ctx.set_inputs(v->get_object());
  std::lock_guard lock(svc->mu_);
  uint64_t id = svc->next_scope_++;
  svc->scopes_[id] = std::move(scope);
  if (out != nullptr) *out = id;
  return PL_OK;
}

int32_t ExecutorService::c_run_steps(void* self, const pl_call_context* ctx, uint64_t scope_id,
                                     const char* req, size_t len, pl_buffer* out,
                                     pl_buffer* error) {
  auto* svc = static_cast<ExecutorService*>(self);
  auto scope = svc->scope_of(scope_id);
  if (!scope) return fail(error, not_found("run_steps: no open scope " + std::to_string(scope_id)));
  Status st;
  json::object request = parse_object(req, len, st);
  if (!st.ok()) return fail(error, st);
  (void)ctx;  // cancellation is the run's; sub-steps get their own contexts
  Frame& frame = *scope->frame;
  const Workflow& wf = *frame.info.workflow;
  const std::string file = wf.file.string();

  std::shared_ptr<const std::vector<StepConfig>> steps;
  if (auto* field = request.if_contains("field"); field && field->is_string()) {
    std::string name(field->get_string());
    std::lock_guard lock(frame.cache_mu);
    auto& cached = frame.sub_steps[name];
    if (!cached) {
      const json::value* list = frame.info.step->raw.if_contains(name);
      if (list == nullptr || !list->is_array()) {
        return fail(error, invalid_argument("run_steps: step '" + frame.info.step->name +
                                            "' has no list '" + name + "'"));
      }
      Diagnostics d;
      auto parsed = std::make_shared<std::vector<StepConfig>>(
          parse_step_list(list->get_array(), frame.info.step->source.child(name), d));
      if (d.has_errors()) return fail(error, invalid_argument(d.format()));
      cached = parsed;
    }
    steps = cached;
  } else if (auto* list = request.if_contains("steps"); list && list->is_array()) {
    // Steps the plugin made up: located at the step that sent them.
    Diagnostics d;
    auto parsed = std::make_shared<std::vector<StepConfig>>(
        parse_step_list(list->get_array(), SourceRef(frame.info.step->where), d));
    if (d.has_errors()) return fail(error, invalid_argument(d.format()));
    steps = parsed;
  } else {
    return fail(error, invalid_argument("run_steps: the request needs \"field\" or \"steps\""));
  }

  std::lock_guard scope_lock(scope->mu);
  if (auto* v = request.if_contains("variables"); v && v->is_object()) {
    for (const auto& kv : v->get_object())
      scope->ctx.set_variable(std::string(kv.key()), kv.value());
  }
  Nesting nesting{frame.info.depth, frame.info.pipeline_stack, frame.info.calls};
  json::object results;
  json::array skipped;
  json::object response{{"success", true}};
  for (const auto& step : *steps) {
    StepOutcome o = frame.info.executor->run_step(wf, step, scope->ctx, nesting);
    if (o.state == StepOutcome::State::kSkipped) {
      skipped.emplace_back(step.name);
      continue;
    }
    if (o.state == StepOutcome::State::kFailed || o.state == StepOutcome::State::kCancelled) {
      response["success"] = false;
      response["failed_step"] = step.name;
      response["error"] = o.reason;
      if (o.state == StepOutcome::State::kCancelled) {
        response["cancelled"] = true;
        if (const json::value* r = scope->ctx.results().if_contains(step.name)) {
          results[step.name] = *r;  // what a cancelled step finished
        }
      }
      break;
    }
    if (const json::value* r = scope->ctx.results().if_contains(step.name)) results[step.name] = *r;
  }
  response["results"] = std::move(results);
  response["skipped"] = std::move(skipped);
  put(out, json::serialize(response));
  return PL_OK;
}

int32_t ExecutorService::c_evaluate(void* self, uint64_t scope_id, const char* req, size_t len,
                                    pl_buffer* out, pl_buffer* error) {
  auto* svc = static_cast<ExecutorService*>(self);
  auto scope = svc->scope_of(scope_id);
  if (!scope) return fail(error, not_found("evaluate: no open scope " + std::to_string(scope_id)));
  Status st;
  json::object request = parse_object(req, len, st);
  if (!st.ok()) return fail(error, st);
  std::lock_guard scope_lock(scope->mu);
  std::set<std::string> unknown;
  auto on_unknown = [&](std::string_view v) { unknown.emplace(v); };
  auto resolver = [&](std::string_view p) { return scope->ctx.resolve(p); };
  const Executor* executor = scope->frame->info.executor;
  const CancelCheck cancelled = [executor] { return executor->options().cancel.cancelled(); };
  json::value value;
  if (auto* c = request.if_contains("condition")) {
    auto r = evaluate_condition(*c, resolver, on_unknown, cancelled);
    if (!r) return fail(error, r.status());
    value = *r;
  } else if (auto* e = request.if_contains("expression"); e && e->is_string()) {
    auto parsed = Expression::parse(e->get_string());
    if (!parsed) return fail(error, parsed.status());
    auto r = parsed->evaluate(resolver, on_unknown, cancelled);
    if (!r) return fail(error, r.status());
    value = std::move(*r);
  } else if (auto* p = request.if_contains("path"); p && p->is_string()) {
    auto r = scope->ctx.resolve(normalize_path(std::string(p->get_string())));
    if (r)
      value = std::move(*r);
    else
      unknown.emplace(p->get_string());
  } else if (auto* parts = request.if_contains("prompt"); parts && parts->is_array()) {
    // A task's prompt parts (claude_batch, parallel_claude), rendered like a step's prompt.
    std::vector<PromptPart> prompt;
    for (const auto& p : parts->get_array()) {
      if (!p.is_object()) continue;
      prompt.push_back({get_string(p.get_object(), "type", "static"), p.get_object(),
                        scope->frame->info.step->where});
    }
    Interpolator interp(resolver, on_unknown, cancelled);
    PromptBuilder builder(scope->ctx, interp, scope->frame->info.workflow->file.parent_path(),
                          cancelled);
    auto r = builder.render(prompt);
    if (!r) return fail(error, r.status());
    value = json::object{{"text", r->text}, {"parts", r->parts}};
  } else if (auto* v = request.if_contains("render")) {
    Interpolator interp(resolver, on_unknown, cancelled);
    auto r = interp.render_value(*v);
    if (!r) return fail(error, r.status());
    value = std::move(*r);
  } else {
    return fail(error, invalid_argument(
                           "evaluate: the request needs \"condition\", \"expression\", \"path\", "
                           "\"prompt\" or \"render\""));
  }
  json::array names;
  const StepConfig& step = *scope->frame->info.step;
  for (const auto& u : unknown) {
    names.emplace_back(u);
    if (request.contains("path")) continue;  // a data source that is absent is the step's error
    scope->frame->info.executor->warn(step.where.to_string() + ": step '" + step.name +
                                      "': unknown variable '" + u + "' rendered as empty");
  }
  put(out,
      json::serialize(json::object{{"value", std::move(value)}, {"unknown", std::move(names)}}));
  return PL_OK;
}

int32_t ExecutorService::c_close_scope(void* self, uint64_t scope_id, pl_buffer* final_state) {
  auto* svc = static_cast<ExecutorService*>(self);
  std::shared_ptr<Scope> scope;
  {
    std::lock_guard lock(svc->mu_);
    auto it = svc->scopes_.find(scope_id);
    if (it == svc->scopes_.end()) return PL_NOT_FOUND;
    scope = std::move(it->second);
    svc->scopes_.erase(it);
  }
  std::lock_guard scope_lock(scope->mu);
  if (final_state != nullptr) {
    put(final_state, json::serialize(json::object{{"variables", scope->ctx.variables()},
                                                  {"results", scope->ctx.results()}}));
  }
  return PL_OK;
}

int32_t ExecutorService::c_run_pipeline(void* self, const pl_call_context* ctx, const char* req,
                                        size_t len, pl_buffer* out, pl_buffer* error) {
  auto* svc = static_cast<ExecutorService*>(self);
  auto frame = svc->frame_of(ctx);
  if (!frame) {
    return fail(error, failed_precondition("run_pipeline: the call context is not that of a "
                                           "running step"));
  }
  Status st;
  json::object request = parse_object(req, len, st);
  if (!st.ok()) return fail(error, st);
  const StepFrame& parent = frame->info;
  Executor& executor = *parent.executor;

  int64_t max_depth = 10;
  if (auto* m = request.if_contains("max_depth"); m && m->is_number())
    max_depth = m->to_number<int64_t>();
  // However high a step sets it, nesting stays within the host's limit (and the stack's).
  max_depth = std::min<int64_t>(max_depth, limits::kMaxNestingDepth);
  int depth = parent.depth + 1;
  std::vector<std::string> stack = parent.pipeline_stack;
  std::error_code ec;
  if (stack.empty()) {
    stack.push_back(fs::weakly_canonical(parent.workflow->file, ec).string());
  }
  auto chain = [&](const std::string& last) {
    std::string c;
    for (const auto& s : stack) c += s + " -> ";
    return c + last;
  };

  std::optional<Workflow> child;
  Diagnostics d;
  std::string file;
  std::string identity;
  if (auto* f = request.if_contains("pipeline_file"); f && f->is_string()) {
    fs::path path(std::string(f->get_string()));
    if (path.is_relative() && !fs::exists(path, ec)) {
      fs::path beside = parent.workflow->file.parent_path() / path;
      if (fs::exists(beside, ec)) path = beside;
    }
    if (!fs::exists(path, ec)) {
      return fail(error, not_found("pipeline_file '" + std::string(f->get_string()) +
                                   "' not found (looked in the current folder and beside " +
                                   parent.workflow->file.string() + ")"));
    }
    identity = fs::weakly_canonical(path, ec).string();
    file = path.string();
    if (std::find(stack.begin(), stack.end(), identity) != stack.end()) {
      return fail(error, failed_precondition("nested pipeline cycle: " + chain(identity)));
    }
    if (depth <= max_depth) {
      child = load_workflow(path, d);
      if (!child && !d.has_errors()) d.error({file, 0, 0}, "cannot load the pipeline file");
    }
  } else {
    file = parent.workflow->file.string();
    identity = "inline:" + parent.step->name + "@" + file;
    const json::value* from_step = parent.step->raw.if_contains("pipeline");
    const json::value* from_request = request.if_contains("pipeline");
    if (from_step != nullptr && from_step->is_object()) {
      if (depth <= max_depth) {
        child = parse_workflow_map(*from_step, parent.step->source.child("pipeline"), file, d);
      }
    } else if (from_request != nullptr && from_request->is_object()) {
      if (depth <= max_depth) {
        child = parse_workflow_map(*from_request, SourceRef(parent.step->where), file, d);
      }
    } else {
      return fail(error, invalid_argument("a nested pipeline needs 'pipeline_file' or an inline "
                                          "'pipeline' map"));
    }
  }
  if (depth > max_depth) {
    return fail(error, failed_precondition("nested pipeline depth " + std::to_string(depth) +
                                           " exceeds max_depth " + std::to_string(max_depth) +
                                           " (" + chain(identity) + ")"));
  }

  if (child)
    validate_workflow(*child, executor.runtime().config(), executor.runtime().plugins(), d);
  if (d.has_errors() || !child) {
    return fail(error, invalid_argument("nested pipeline is invalid:\n" + d.format()));
  }
  for (const auto& w : d.items()) executor.warn(w.to_string());

  json::object inputs;
  if (auto* i = request.if_contains("inputs"); i && i->is_object()) inputs = i->get_object();
  bool inherit = false;
  if (auto* i = request.if_contains("inherit_context"); i && i->is_bool()) inherit = i->get_bool();
  RunContext child_ctx;
  if (inherit) {
    child_ctx = RunContext::child_of(*parent.ctx);
    child_ctx.set_global_vars(child->global_vars);
  } else {
    child_ctx = RunContext(child->global_vars, {});
  }
  child_ctx.set_inputs(std::move(inputs));
  stack.push_back(identity);
  RunResult r =
      executor.run_nested(*child, std::move(child_ctx), Nesting{depth, stack, parent.calls});
  json::object response{{"success", r.success},
                        {"workflow", child->name},
                        {"results", r.results},
                        {"variables", r.variables},
                        {"depth", depth}};
  if (!r.success) {
    response["failed_step"] = r.failed_step;
    response["error"] = r.error;
    if (r.cancelled) response["cancelled"] = true;
  }
  put(out, json::serialize(response));
  return PL_OK;
}

}  // namespace pipeline
