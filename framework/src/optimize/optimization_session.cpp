#include <pipeline/optimize/optimization_session.hpp>

#include <pipeline/cache/optimization_cache_key.hpp>
#include <pipeline/dspy/chain_of_thought.hpp>
#include <pipeline/dspy/completion_judge.hpp>
#include <pipeline/optimize/program_service.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

namespace pipeline {

namespace {

json::array rows_json(const std::vector<dspy::DatasetRow>& rows) {
  json::array a;
  for (const auto& r : rows)
    a.push_back(json::object{{"inputs", r.inputs}, {"outputs", r.outputs}});
  return a;
}

json::array fields_json(const std::vector<dspy::Field>& fields) {
  json::array a;
  for (const auto& f : fields)
    a.push_back(json::object{{"name", f.name},
                             {"type", f.type.annotation_name()},
                             {"description", f.shown_description()},
                             {"prefix", f.prefix}});
  return a;
}

Status stop_status(BudgetStop s) {
  if (s == BudgetStop::kCancelled)
    return {StatusCode::kCancelled, "the optimization was cancelled"};
  return {StatusCode::kResourceExhausted,
          "the optimization's budget is spent (LM calls, time or cost)"};
}

// A call refused by the budget layer (or cancelled below it) stops the search; any other LM
// failure is the example's error.
bool is_stop(const Status& s) {
  return s.code() == StatusCode::kResourceExhausted || s.code() == StatusCode::kCancelled;
}

std::optional<double> number_of(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_number()) return v->to_number<double>();
  return std::nullopt;
}

}  // namespace

// ---- reports ------------------------------------------------------------------------------------

json::object ScoredCandidate::to_json() const {
  std::size_t demos = 0;
  if (const auto* d = candidate.if_contains("demos"); d && d->is_array())
    demos = d->get_array().size();
  return json::object{
      {"number", number},     {"label", label},
      {"set", set},           {"score", score},
      {"examples", examples}, {"full_set", full_set},
      {"complete", complete}, {"instructions", get_string(candidate, "instructions")},
      {"demos", demos}};
}

ScoredCandidate ScoredCandidate::from_json(const json::object& o) {
  ScoredCandidate c;
  if (auto n = number_of(o, "number")) c.number = static_cast<std::size_t>(*n);
  c.label = get_string(o, "label");
  c.set = get_string(o, "set");
  c.score = number_of(o, "score").value_or(0);
  if (auto n = number_of(o, "examples")) c.examples = static_cast<std::size_t>(*n);
  if (const auto* b = o.if_contains("full_set"); b && b->is_bool()) c.full_set = b->get_bool();
  if (const auto* b = o.if_contains("complete"); b && b->is_bool()) c.complete = b->get_bool();
  c.candidate["instructions"] = get_string(o, "instructions");
  return c;
}

json::object OptimizationOutcome::to_json(const std::string& optimizer) const {
  json::array cands;
  for (const auto& c : candidates) cands.push_back(c.to_json());
  auto opt = [](const std::optional<double>& v) {
    return v ? json::value(*v) : json::value(nullptr);
  };
  return json::object{
      {"program", program.to_json()}, {"optimizer", optimizer}, {"train_score", opt(train_score)},
      {"val_score", opt(val_score)},  {"lm_calls", lm_calls},   {"cache_hits", cache_hits},
      {"cost_usd", cost_usd},         {"wall_ms", wall_ms},     {"candidates", std::move(cands)}};
}

// ---- construction -------------------------------------------------------------------------------

struct OptimizationSession::Example {
  const dspy::DatasetRow* row = nullptr;  // nullptr for free inputs
  dspy::Example inputs;
};

struct OptimizationSession::ExampleOutcome {
  Status stop;  // a budget stop or cancel: the example did not run
  json::object outputs;
  std::string error;
  std::optional<double> score;
  std::string feedback;
  CallTotals totals;
};

OptimizationSession::OptimizationSession(OptimizationSpec spec, Completion& lm,
                                         std::shared_ptr<CacheManager> cache)
    : spec_(std::move(spec)),
      budget_(spec_.budget),
      lm_(lm, budget_),
      store_(std::move(cache)),
      ctx_(cancel_) {
  run_signature_ = spec_.dspy.chain_of_thought ? dspy::with_reasoning(spec_.dspy.signature)
                                               : spec_.dspy.signature;
  const dspy::Signature& sig = spec_.dspy.signature;
  json::object key_params{
      {"params", spec_.params},
      {"seed", spec_.seed},
      {"budget", json::object{{"max_lm_calls", spec_.budget.max_lm_calls},
                              {"max_seconds", spec_.budget.max_seconds},
                              {"max_cost_usd", spec_.budget.max_cost_usd}}},
      {"valset_hash", OptimizationCacheKey::hash_trainset(rows_json(spec_.valset))},
      {"metric", spec_.metric},
      {"adapter", spec_.predict.adapter},
      {"adapter_fallback", spec_.predict.adapter_fallback},
      {"chain_of_thought", spec_.dspy.chain_of_thought},
      {"provider", spec_.provider}};
  cache_key_ = OptimizationCacheKey::make(
      sig.hash(), spec_.optimizer, key_params,
      OptimizationCacheKey::hash_trainset(rows_json(spec_.trainset)), spec_.model);
}

OptimizationSession::~OptimizationSession() = default;

Result<std::unique_ptr<OptimizationSession>> OptimizationSession::create(
    OptimizationSpec spec, Completion& lm, std::shared_ptr<CacheManager> cache) {
  std::unique_ptr<OptimizationSession> s(
      new OptimizationSession(std::move(spec), lm, std::move(cache)));
  // The judge of an llm_judge metric spends the optimization's budget too.
  auto judge = dspy::completion_judge(
      s->lm_, s->spec_.provider, s->cancel_,
      CallFrame{
          .run_id = "optimize", .step = s->spec_.step + ":llm_judge", .mode = "optimization"});
  auto metric = dspy::make_metric(s->spec_.metric, s->spec_.dspy.signature, judge);
  if (!metric) return metric.status();
  s->metric_ = std::move(*metric);
  return s;
}

json::object OptimizationSession::start_candidate() const {
  return json::object{{"instructions", spec_.dspy.signature.instructions},
                      {"demos", json::array{}}};
}

json::object OptimizationSession::task() const {
  const dspy::Signature& sig = spec_.dspy.signature;
  return json::object{{"step", spec_.step},
                      {"signature", json::object{{"instructions", sig.instructions},
                                                 {"inputs", fields_json(sig.inputs)},
                                                 {"outputs", fields_json(sig.outputs)},
                                                 {"text", sig.to_string()}}},
                      {"trainset", rows_json(spec_.trainset)},
                      {"valset", rows_json(spec_.valset)},
                      {"metric", metric_ ? metric_->name() : std::string()},
                      {"params", spec_.params},
                      {"seed", spec_.seed},
                      {"program", start_candidate()},
                      {"budget", budget_.status_json()}};
}

void OptimizationSession::on_progress(std::function<void(const OptimizationProgress&)> fn) {
  std::lock_guard lock(progress_mu_);
  on_progress_ = std::move(fn);
}

void OptimizationSession::cancel() {
  budget_.cancel();
  cancel_.cancel();
}

std::vector<ScoredCandidate> OptimizationSession::candidates() const {
  std::lock_guard lock(mu_);
  return candidates_;
}

void OptimizationSession::report(OptimizationProgress p) {
  p.lm_calls = budget_.lm_calls();
  p.cost_usd = budget_.cost_usd();
  p.elapsed_seconds = budget_.elapsed_seconds();
  if (!p.best_score) {
    std::lock_guard lock(mu_);
    p.best_score = best_score_;
  }
  std::lock_guard lock(progress_mu_);
  if (on_progress_) on_progress_(p);
}

// ---- the service calls --------------------------------------------------------------------------

Result<OptimizationSession::Example> OptimizationSession::example_of(
    const json::object& request) const {
  Example ex;
  if (const auto* e = request.if_contains("example")) {
    const auto* eo = e->if_object();
    std::string set = eo ? get_string(*eo, "set", "train") : "";
    const auto* idx = eo ? eo->if_contains("index") : nullptr;
    if (!eo || (set != "train" && set != "val") || !idx || !idx->is_number())
      return invalid_argument("example must be {\"set\": \"train\"|\"val\", \"index\": n}");
    const auto& rows = set == "train" ? spec_.trainset : spec_.valset;
    auto i = idx->to_number<double>();
    if (i < 0 || i >= static_cast<double>(rows.size()) ||
        i != static_cast<double>(static_cast<std::size_t>(i)))
      return invalid_argument("example index " + json::serialize(*idx) + " is out of the " + set +
                              " set (" + std::to_string(rows.size()) + " examples)");
    ex.row = &rows[static_cast<std::size_t>(i)];
    ex.inputs = ex.row->inputs;
    return ex;
  }
  if (const auto* in = request.if_contains("inputs"); in && in->is_object()) {
    ex.inputs = in->get_object();
    return ex;
  }
  return invalid_argument("the request names no example (\"example\": {set, index}) or \"inputs\"");
}

Result<dspy::Predict> OptimizationSession::predict_of(const json::value& candidate,
                                                      const json::object& request) const {
  const auto* c = candidate.if_object();
  if (!c) return invalid_argument("candidate must be an object {\"instructions\", \"demos\"}");
  dspy::Signature sig = run_signature_;
  if (const auto* i = c->if_contains("instructions")) {
    if (!i->is_string()) return invalid_argument("candidate.instructions must be a string");
    if (!i->get_string().empty()) sig.instructions = std::string(i->get_string());
  }
  std::vector<dspy::Example> demos;
  if (const auto* d = c->if_contains("demos")) {
    if (!d->is_array()) return invalid_argument("candidate.demos must be an array");
    for (const auto& demo : d->get_array()) {
      if (!demo.is_object()) return invalid_argument("candidate.demos holds a non-object");
      demos.push_back(demo.get_object());
    }
  }
  dspy::PredictOptions po = spec_.predict;
  if (const auto* t = request.if_contains("temperature"); t && t->is_number())
    po.request["temperature"] = *t;
  // Part of the request, so part of the response cache key: a new rollout is a fresh answer.
  if (const auto* r = request.if_contains("rollout_id"); r && !r->is_null())
    po.request["rollout_id"] = *r;
  return dspy::Predict(std::move(sig), std::move(demos), std::move(po), spec_.step + "@optimize");
}

OptimizationSession::ExampleOutcome OptimizationSession::run_example(const dspy::Predict& p,
                                                                     const Example& ex,
                                                                     bool with_score) {
  ExampleOutcome out;
  if (BudgetStop s = budget_.stopped(); s != BudgetStop::kNone) {
    out.stop = stop_status(s);
    return out;
  }
  auto resolver = [&ex](std::string_view path) -> std::optional<json::value> {
    if (path.rfind("inputs.", 0) != 0) return std::nullopt;
    if (const auto* v = ex.inputs.if_contains(path.substr(7))) return *v;
    return std::nullopt;
  };
  auto inputs = dspy::resolve_inputs(p.signature(), ex.inputs, resolver);
  if (!inputs) {
    out.error = inputs.status().message();
    if (with_score && ex.row) out.score = 0;
    return out;
  }
  CallFrame frame{.run_id = "optimize",
                  .step = spec_.step,
                  .mode = "optimization",
                  .step_type = spec_.step_type};
  dspy::PredictResult r = p.run(*inputs, lm_, CompletionCall{ctx_, frame}, spec_.provider);
  // Predict counts every call it made, cache hits included.
  out.totals.calls = r.lm_calls - r.cache_hits;
  out.totals.cache_hits = r.cache_hits;
  out.totals.cost_usd = r.cost_usd;
  if (!r.lm_error.ok() && is_stop(r.lm_error)) {
    out.stop = r.lm_error;
    return out;
  }
  if (!r.ok()) {
    out.error = r.error_message();
  } else {
    out.outputs = r.outputs;
  }
  if (with_score && ex.row) {
    if (!out.error.empty()) {
      out.score = 0;
      out.feedback = out.error;
    } else {
      auto s = metric_->score({ex.inputs, ex.row->outputs, out.outputs});
      if (!s) {
        if (is_stop(s.status()) || budget_.stopped() != BudgetStop::kNone) {
          out.stop = is_stop(s.status()) ? s.status() : stop_status(budget_.stopped());
          return out;
        }
        out.error = "metric " + metric_->name() + ": " + s.status().message();
        out.score = 0;
      } else {
        out.score = s->score;
        out.feedback = s->feedback;
      }
    }
  }
  return out;
}

Result<json::object> OptimizationSession::run(const json::value& request) {
  const auto* req = request.if_object();
  if (!req) return invalid_argument("run: the request must be a JSON object");
  const auto* cand = req->if_contains("candidate");
  if (!cand) return invalid_argument("run: the request has no candidate");
  auto ex = example_of(*req);
  if (!ex) return Status(ex.status().code(), "run: " + ex.status().message());
  auto p = predict_of(*cand, *req);
  if (!p) return Status(p.status().code(), "run: " + p.status().message());
  bool with_score = false;
  if (const auto* s = req->if_contains("score"); s && s->is_bool()) with_score = s->get_bool();
  ExampleOutcome o = run_example(*p, *ex, with_score);
  if (!o.stop.ok()) return o.stop;
  json::object out{{"outputs", o.outputs},
                   {"lm_calls", o.totals.calls},
                   {"cache_hits", o.totals.cache_hits},
                   {"cost_usd", o.totals.cost_usd}};
  if (!o.error.empty()) out["error"] = o.error;
  if (o.score) {
    out["score"] = *o.score;
    out["feedback"] = o.feedback;
  }
  return out;
}

Result<json::object> OptimizationSession::score(const json::value& request) {
  const auto* req = request.if_object();
  if (!req) return invalid_argument("score: the request must be a JSON object");
  auto ex = example_of(*req);
  if (!ex || !ex->row)
    return invalid_argument(
        "score: " + (ex ? std::string("the request names no example") : ex.status().message()));
  const auto* outputs = req->if_contains("outputs");
  if (!outputs || !outputs->is_object())
    return invalid_argument("score: the request has no \"outputs\" object");
  auto s = metric_->score({ex->inputs, ex->row->outputs, outputs->get_object()});
  if (!s) {
    if (is_stop(s.status())) return s.status();
    return Status(s.status().code(),
                  "score: metric " + metric_->name() + ": " + s.status().message());
  }
  return json::object{{"score", s->score}, {"feedback", s->feedback}};
}

Result<json::object> OptimizationSession::evaluate(const json::value& request) {
  const auto* req = request.if_object();
  if (!req) return invalid_argument("evaluate: the request must be a JSON object");
  const auto* cand = req->if_contains("candidate");
  if (!cand) return invalid_argument("evaluate: the request has no candidate");
  std::string set = get_string(*req, "set", "val");
  if (set != "train" && set != "val")
    return invalid_argument("evaluate: set must be train or val (got '" + set + "')");
  const auto& rows = set == "train" ? spec_.trainset : spec_.valset;
  std::vector<std::size_t> indices;
  bool full = true;
  if (const auto* ix = req->if_contains("indices"); ix && !ix->is_null()) {
    if (!ix->is_array()) return invalid_argument("evaluate: indices must be an array");
    for (const auto& v : ix->get_array()) {
      if (!v.is_number() || v.to_number<double>() < 0 ||
          v.to_number<double>() >= static_cast<double>(rows.size()))
        return invalid_argument("evaluate: index " + json::serialize(v) + " is out of the " + set +
                                " set (" + std::to_string(rows.size()) + " examples)");
      indices.push_back(v.to_number<std::size_t>());
    }
    std::vector<std::size_t> sorted = indices;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    full = sorted.size() == rows.size();
  } else {
    for (std::size_t i = 0; i < rows.size(); ++i) indices.push_back(i);
  }
  int concurrency = spec_.concurrency;
  if (auto c = number_of(*req, "concurrency")) concurrency = static_cast<int>(*c);
  concurrency = std::clamp(concurrency, 1, 256);
  auto p = predict_of(*cand, *req);
  if (!p) return Status(p.status().code(), "evaluate: " + p.status().message());

  // Workers take the next index until the set is done or the budget / a cancel stops them.
  std::vector<std::optional<ExampleOutcome>> outcomes(indices.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex stop_mu;
  Status stopped;
  auto work = [&] {
    for (;;) {
      if (stop.load()) return;
      std::size_t k = next.fetch_add(1);
      if (k >= indices.size()) return;
      Example ex{&rows[indices[k]], rows[indices[k]].inputs};
      ExampleOutcome o = run_example(*p, ex, true);
      if (!o.stop.ok()) {
        std::lock_guard lock(stop_mu);
        if (stopped.ok()) stopped = o.stop;
        stop.store(true);
        return;
      }
      outcomes[k] = std::move(o);
    }
  };
  std::size_t n_threads =
      std::min<std::size_t>(static_cast<std::size_t>(concurrency), indices.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < n_threads; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();

  json::array results;
  CallTotals totals;
  double sum = 0;
  std::size_t ran = 0;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    if (!outcomes[k]) continue;
    const ExampleOutcome& o = *outcomes[k];
    json::object r{{"index", indices[k]},
                   {"score", o.score.value_or(0)},
                   {"feedback", o.feedback},
                   {"outputs", o.outputs}};
    if (!o.error.empty()) r["error"] = o.error;
    results.push_back(std::move(r));
    totals.add(o.totals);
    sum += o.score.value_or(0);
    ++ran;
  }
  double mean = ran ? sum / static_cast<double>(ran) : 0;
  bool complete = ran == indices.size();
  json::object out{{"score", mean},
                   {"results", std::move(results)},
                   {"lm_calls", totals.calls},
                   {"cache_hits", totals.cache_hits},
                   {"cost_usd", totals.cost_usd},
                   {"complete", complete}};
  if (!complete) out["stopped"] = stopped.code() == StatusCode::kCancelled ? "cancelled" : "budget";

  // Every evaluate call is a scored candidate of the report (an empty one, nothing ran, is not).
  ScoredCandidate sc;
  sc.label = get_string(*req, "label");
  sc.set = set;
  sc.candidate = cand->get_object();
  sc.score = mean;
  sc.examples = ran;
  sc.full_set = full;
  sc.complete = complete;
  std::int64_t number = 0;
  if (ran > 0) {
    std::lock_guard lock(mu_);
    sc.number = candidates_.size() + 1;
    number = static_cast<std::int64_t>(sc.number);
    // "Best so far" is over complete evaluations: a half-run set is not comparable.
    if (complete && (!best_score_ || mean > *best_score_)) best_score_ = mean;
    candidates_.push_back(std::move(sc));
  }
  if (ran > 0) {
    OptimizationProgress pr;
    pr.stage = "evaluate";
    pr.candidate = number;
    report(std::move(pr));
  }
  return out;
}

Result<json::object> OptimizationSession::lm(const json::value& request) {
  const auto* req = request.if_object();
  if (!req) return invalid_argument("lm: the request must be a JSON object");
  // A named prompt / reflection model instance serves the optimizer's own calls.
  std::string provider = spec_.provider;
  bool own_provider = true;
  for (const char* k : {"reflection_lm", "prompt_model"}) {
    if (const auto* v = spec_.params.if_contains(k);
        v && v->is_string() && !v->get_string().empty()) {
      provider = std::string(v->get_string());
      own_provider = false;
      break;
    }
  }
  CallFrame frame{.run_id = "optimize",
                  .step = spec_.step + ":optimizer",
                  .mode = "optimization",
                  .step_type = spec_.step_type};
  if (const auto* sig_text = req->if_contains("signature")) {
    if (!sig_text->is_string()) return invalid_argument("lm: signature must be a string");
    std::optional<std::string> instructions;
    if (const auto* i = req->if_contains("instructions");
        i && i->is_string() && !i->get_string().empty())
      instructions = std::string(i->get_string());
    auto sig = dspy::parse_signature_string(std::string(sig_text->get_string()), instructions);
    if (!sig) return invalid_argument("lm: signature: " + sig.status().message());
    const auto* in = req->if_contains("inputs");
    if (!in || !in->is_object())
      return invalid_argument("lm: the request has no \"inputs\" object");
    dspy::PredictOptions po;
    po.adapter = "chat";
    if (own_provider) po.request = spec_.predict.request;  // the step's model
    if (const auto* t = req->if_contains("temperature"); t && t->is_number())
      po.request["temperature"] = *t;
    if (const auto* r = req->if_contains("rollout_id"); r && !r->is_null())
      po.request["rollout_id"] = *r;
    dspy::Predict p(std::move(*sig), {}, std::move(po), spec_.step + "@optimizer.lm");
    dspy::PredictResult r = p.run(in->get_object(), lm_, CompletionCall{ctx_, frame}, provider);
    if (!r.lm_error.ok()) return Status(r.lm_error.code(), "lm: " + r.lm_error.message());
    // A reply that does not parse is the model's doing, not a bad request: the optimizer gets
    // empty outputs and the reason, as run() reports it.
    if (!r.ok()) return json::object{{"outputs", json::object{}}, {"error", r.error_message()}};
    return json::object{{"outputs", r.outputs}};
  }
  const auto* ms = req->if_contains("messages");
  if (!ms || !ms->is_array())
    return invalid_argument("lm: the request needs \"messages\" or \"signature\"");
  json::object call{{"messages", *ms}, {"provider", provider}};
  if (own_provider) {
    if (const auto* m = spec_.predict.request.if_contains("model")) call["model"] = *m;
  }
  if (const auto* t = req->if_contains("temperature"); t && t->is_number())
    call["temperature"] = *t;
  if (const auto* r = req->if_contains("rollout_id"); r && !r->is_null()) call["rollout_id"] = *r;
  CallResult r = lm_.complete(json::serialize(call), CompletionCall{ctx_, frame});
  if (!r.ok()) {
    Status s = r.to_status();
    return Status(s.code(), "lm: " + s.message());
  }
  auto body = parse_json(r.body);
  if (!body || !body->is_object()) return internal_error("lm: malformed completion response");
  return json::object{{"text", get_string(body->get_object(), "text")}};
}

bool OptimizationSession::progress(const json::value& event) {
  if (const auto* e = event.if_object()) {
    OptimizationProgress p;
    p.stage = get_string(*e, "stage");
    p.message = get_string(*e, "message");
    if (auto v = number_of(*e, "candidate")) p.candidate = static_cast<std::int64_t>(*v);
    if (auto v = number_of(*e, "of")) p.of = static_cast<std::int64_t>(*v);
    p.best_score = number_of(*e, "best_score");
    report(std::move(p));
  }
  return !cancelled();
}

// ---- the result ---------------------------------------------------------------------------------

Result<json::object> OptimizationSession::candidate_from_result(std::string_view body) const {
  auto doc = parse_json(body);
  if (!doc) {
    std::string head(body.substr(0, 60));
    return invalid_argument("returned text that is not JSON (" +
                            (head.empty() ? std::string("empty") : "'" + head + "'") + ")");
  }
  const auto* o = doc->if_object();
  if (!o)
    return invalid_argument(
        "returned JSON that is not an object (a candidate "
        "{\"instructions\", \"demos\"} or a DSPy program was expected)");
  if (o->contains("instructions") || o->contains("demos")) {
    const auto* i = o->if_contains("instructions");
    if (i && !i->is_string())
      return invalid_argument("returned a candidate whose \"instructions\" is not a string");
    json::array demos;
    if (const auto* d = o->if_contains("demos")) {
      if (!d->is_array())
        return invalid_argument("returned a candidate whose \"demos\" is not an array");
      for (std::size_t k = 0; k < d->get_array().size(); ++k) {
        const auto& demo = d->get_array()[k];
        bool known = false;
        if (const auto* dobj = demo.if_object()) {
          for (const auto& kv : *dobj)
            known =
                known || spec_.dspy.signature.input(kv.key()) || run_signature_.output(kv.key());
        }
        if (!known)
          return invalid_argument("returned a candidate whose demos[" + std::to_string(k) +
                                  "] is not an object with a field of the signature (" +
                                  spec_.dspy.signature.to_string() + ")");
      }
      demos = d->get_array();
    }
    std::string instructions = i ? std::string(i->get_string()) : spec_.dspy.signature.instructions;
    if (instructions.empty()) instructions = spec_.dspy.signature.instructions;
    return json::object{{"instructions", instructions}, {"demos", std::move(demos)}};
  }
  auto prog = dspy::Program::from_json(*doc, "the result");
  if (!prog)
    return invalid_argument(
        "returned neither a candidate {\"instructions\", \"demos\"} nor a DSPy program (" +
        prog.status().message() + ")");
  auto pred = dspy::choose_predictor(*prog, "");
  if (!pred) return invalid_argument("returned a DSPy program: " + pred.status().message());
  auto bound = dspy::bind_predictor(**pred, spec_.dspy.signature, spec_.dspy.chain_of_thought);
  if (!bound)
    return invalid_argument("returned a program that does not fit the step's signature: " +
                            bound.status().message());
  json::array demos;
  for (const auto& d : bound->demos) demos.push_back(d);
  return json::object{{"instructions", bound->signature.instructions}, {"demos", std::move(demos)}};
}

dspy::Program OptimizationSession::program_of(const json::object& candidate) const {
  dspy::Signature sig = run_signature_;
  std::string instructions = get_string(candidate, "instructions");
  if (!instructions.empty()) sig.instructions = instructions;
  std::vector<dspy::Example> demos;
  if (const auto* d = candidate.if_contains("demos"); d && d->is_array())
    for (const auto& demo : d->get_array())
      if (demo.is_object()) demos.push_back(demo.get_object());
  // DSPy's names: a Predict saves as "self", a ChainOfThought's inner predictor as "predict".
  return dspy::Program::from_signature(sig, demos,
                                       spec_.dspy.chain_of_thought ? "predict" : "self");
}

std::optional<double> OptimizationSession::recorded_score(const json::object& candidate,
                                                          const std::string& set) const {
  std::string want = canonical_json(candidate);
  std::lock_guard lock(mu_);
  for (auto it = candidates_.rbegin(); it != candidates_.rend(); ++it) {
    if (it->set == set && it->full_set && it->complete && canonical_json(it->candidate) == want)
      return it->score;
  }
  return std::nullopt;
}

Result<double> OptimizationSession::final_score(const json::object& candidate,
                                                const std::string& set) {
  if (auto s = recorded_score(candidate, set)) return *s;
  const auto& rows = set == "train" ? spec_.trainset : spec_.valset;
  if (rows.empty()) return not_found("the " + set + " set is empty");
  auto r =
      evaluate(json::object{{"candidate", candidate}, {"set", set}, {"label", "final " + set}});
  if (!r) return r.status();
  const auto* complete = r->if_contains("complete");
  if (!complete || !complete->as_bool())
    return Status(StatusCode::kResourceExhausted, "stopped before the whole " + set + " set ran");
  return number_of(*r, "score").value_or(0);
}

std::optional<OptimizationOutcome> OptimizationSession::cached() {
  auto hit = store_.get(cache_key_);
  if (!hit) return std::nullopt;
  auto prog = dspy::Program::from_json(hit->program, "the optimization cache");
  if (!prog) return std::nullopt;  // a corrupt entry is a miss
  OptimizationOutcome out;
  out.program = std::move(*prog);
  out.from_cache = true;
  out.cache_key = cache_key_;
  out.train_score = number_of(hit->report, "train_score");
  out.val_score = number_of(hit->report, "val_score");
  if (const auto* b = hit->report.if_contains("best"); b && b->is_object())
    out.best = b->get_object();
  if (const auto* cs = hit->report.if_contains("candidates"); cs && cs->is_array())
    for (const auto& c : cs->get_array())
      if (c.is_object()) out.candidates.push_back(ScoredCandidate::from_json(c.get_object()));
  out.wall_ms = budget_.elapsed_seconds() * 1000;
  return out;
}

Result<OptimizationOutcome> OptimizationSession::optimize(const OptimizerInstance& optimizer,
                                                          ProgramService& service) {
  const std::string who = "optimizer plugin '" + optimizer.name() + "'";
  CallContext octx(cancel_);
  CallResult r;
  {
    auto routed = service.attach(octx.raw(), *this);
    r = optimizer.optimize(json::serialize(task()), octx);
  }
  OptimizationOutcome out;
  out.cache_key = cache_key_;
  BudgetStop stop = budget_.stopped();
  if (!r.ok()) {
    const bool gave_up = r.status == PL_CANCELLED || r.status == PL_RESOURCE_EXHAUSTED;
    // A plugin that stops on a cancel or a spent budget without a result: the best full
    // evaluation it made is the best so far.
    std::optional<ScoredCandidate> best;
    if (gave_up) {
      for (const auto& c : candidates())
        if (c.complete && c.full_set &&
            (!best || c.score > best->score || (best->set != "val" && c.set == "val")))
          best = c;
    }
    if (!best)
      return Status(StatusCode(r.status == PL_OK ? PL_INTERNAL : r.status),
                    who + " failed: " + status_code_name(r.status) +
                        (r.error.empty() ? std::string() : ": " + r.error));
    out.best = best->candidate;
    if (stop == BudgetStop::kNone)
      stop = r.status == PL_CANCELLED ? BudgetStop::kCancelled : BudgetStop::kBudget;
  } else {
    auto c = candidate_from_result(r.body);
    if (!c) return Status(StatusCode::kInternal, who + " " + c.status().message());
    out.best = std::move(*c);
  }
  out.stopped = budget_stop_name(stop);
  if (auto s = final_score(out.best, "train")) out.train_score = *s;
  if (auto s = final_score(out.best, "val")) out.val_score = *s;
  out.program = program_of(out.best);
  out.candidates = candidates();
  CallTotals t = lm_.totals();
  out.lm_calls = t.calls;
  out.cache_hits = t.cache_hits;
  out.cost_usd = t.cost_usd;
  out.wall_ms = budget_.elapsed_seconds() * 1000;
  if (!cancelled()) {
    StoredProgram entry;
    entry.key = cache_key_;
    entry.signature_hash = spec_.dspy.signature.hash();
    entry.optimizer = spec_.optimizer;
    entry.program = out.program.to_json();
    json::object rep = out.to_json(spec_.optimizer);
    rep.erase("program");
    rep["best"] = out.best;
    rep["stopped"] = out.stopped;
    entry.report = std::move(rep);
    store_.put(std::move(entry));
  }
  return out;
}

}  // namespace pipeline
