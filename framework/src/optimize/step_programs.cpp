#include <pipeline/optimize/step_programs.hpp>

#include <pipeline/cache/sha256.hpp>
#include <pipeline/dspy/step_dspy.hpp>
#include <pipeline/optimize/optimization_session.hpp>
#include <pipeline/optimize/program_service.hpp>
#include <pipeline/optimize/step_optimization.hpp>

#include <spdlog/spdlog.h>

#include <filesystem>
#include <stop_token>

namespace pipeline {

namespace {

constexpr const char* kUnimproved = "unimproved";

std::optional<CachedProgram> cached_of(const std::optional<StoredProgram>& s) {
  if (!s) return std::nullopt;
  CachedProgram c;
  c.program = s->program;
  c.created = std::chrono::system_clock::time_point(std::chrono::milliseconds(s->created_unix_ms));
  if (const auto* u = s->report.if_contains(kUnimproved); u && u->is_int64())
    c.unimproved = static_cast<int>(u->get_int64());
  return c;
}

std::optional<double> val_score(const StoredProgram& s) {
  if (const auto* v = s.report.if_contains("val_score"); v && v->is_number())
    return v->to_number<double>();
  return std::nullopt;
}

std::int64_t unix_ms_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string member_text(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v ? json::serialize(*v) : std::string();
}

// What a background optimization of `step` starts from: the settings and examples as written and
// the training file's size and time. A failure is retried as soon as any of them changes.
std::string optimization_fingerprint(const Workflow& wf, const StepConfig& step,
                                     const DspyConfig& dc) {
  std::string text = member_text(wf.raw, "dspy_config") + "\n" +
                     member_text(step.raw, "dspy_config") + "\n" +
                     member_text(step.raw, "examples") + "\n" + member_text(step.raw, "metric") +
                     "\n" + member_text(step.raw, "signature") + "\n";
  if (!dc.training_data_path.empty()) {
    std::filesystem::path p = dc.training_data_path;
    if (p.is_relative()) p = wf.file.parent_path() / p;
    std::error_code ec;
    auto size = std::filesystem::file_size(p, ec);
    auto mtime = std::filesystem::last_write_time(p, ec);
    text += p.string() + "\n" + std::to_string(ec ? 0 : size) + "\n" +
            std::to_string(ec ? 0 : mtime.time_since_epoch().count());
  }
  return sha256_hex(text);
}

}  // namespace

StepPrograms::StepPrograms(Services services, const Workflow& wf, LazyOptimizer::Clock now)
    : s_(std::move(services)), wf_(wf), store_(s_.cache), now_(now), lazy_(std::move(now)) {}

StepPrograms::~StepPrograms() {
  cancel();
}

StepPrograms::Choice StepPrograms::ensure(const StepConfig& step) {
  Choice out;
  Diagnostics ignored;  // validation reported them
  auto d = dspy::step_dspy_from_config(step, ignored);
  if (!d) {
    out.reason = "the step has no usable signature";
    return out;
  }
  const std::string sig = d->signature.hash();
  const DspyConfig dc = dspy_config_for(wf_, &step, ignored);
  auto newest = store_.latest(sig);

  // Without lazy optimization, or with nothing to train on, only what is stored can serve.
  std::string why_not;
  std::string optimizer;
  if (!dc.lazy_optimization) {
    why_not = "dspy_config.lazy_optimization is false: run `pipeline optimize` first";
  } else if (dc.training_data_path.empty() && !step.raw.contains("examples")) {
    why_not =
        "no training data to optimize on (dspy_config.training_data_path or inline `examples:`)";
  } else {
    optimizer = choose_optimizer(dc.optimizer, wf_, step, s_.plugins, why_not);
    // The architecture's default optimizer, when none is named and several are loaded.
    if (optimizer.empty() && dc.optimizer.empty() &&
        s_.plugins.find(PL_KIND_OPTIMIZER, dc.evaluation_mode)) {
      optimizer = dc.evaluation_mode;
      why_not.clear();
    }
  }
  if (optimizer.empty()) {
    out.state = newest ? LazyOptimizer::State::kReady : LazyOptimizer::State::kFailed;
    out.program = std::move(newest);
    if (!out.program) out.reason = "no optimized program in the cache; " + why_not;
    return out;
  }

  LazyOptimizer::Job job;
  job.key = step.name + "@" + sig;
  job.frequency = dc.optimization_frequency;
  // The first lookup is the one made above; later ones (staleness after a stop) read again.
  auto first = std::make_shared<std::optional<StoredProgram>>(newest);
  job.lookup = [this, first, sig]() {
    if (*first) return cached_of(std::exchange(*first, std::nullopt));
    return cached_of(store_.latest(sig));
  };
  const std::string fingerprint = optimization_fingerprint(wf_, step, dc);
  // A failure an earlier run recorded holds until its inputs change or its retry time comes.
  job.past_failure = [this, sig, optimizer, fingerprint]() -> std::optional<std::string> {
    auto f = store_.failure(sig, optimizer);
    if (!f || f->fingerprint != fingerprint || unix_ms_of(now_()) >= f->retry_unix_ms())
      return std::nullopt;
    return "optimization failed " + std::to_string(f->count) + " time(s) with these inputs, " +
           "the last time: " + f->reason + " (retried from " +
           std::to_string((f->retry_unix_ms() - unix_ms_of(now_()) + 59999) / 60000) +
           " minute(s) from now, or when the step's dspy_config, examples or training data "
           "change; `pipeline optimize` runs it now)";
  };
  StepConfig step_copy = step;
  job.optimize = [this, step_copy, dc, optimizer, sig, fingerprint](std::stop_token stop) {
    Status st = optimize(step_copy, dc, optimizer, std::move(stop));
    if (st.ok()) {
      store_.clear_failure(sig, optimizer);
    } else if (st.code() != StatusCode::kCancelled) {
      // Stopped by the user is not a failure of the optimization.
      store_.record_failure(sig, OptimizationFailure{.optimizer = optimizer,
                                                     .fingerprint = fingerprint,
                                                     .reason = st.message(),
                                                     .unix_ms = unix_ms_of(now_())});
    }
    return st;
  };
  auto r = lazy_.ensure(job);
  if (lazy_.running(job.key)) {
    // The optimization bounds itself; finish() waits that long (no bound: until it ends).
    std::lock_guard lock(mu_);
    auto end = dc.max_optimization_seconds > 0
                   ? std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(dc.max_optimization_seconds))
                   : std::chrono::steady_clock::time_point::max();
    if (latest_end_ == std::chrono::steady_clock::time_point{} || end > latest_end_)
      latest_end_ = end;
  }
  out.state = r.state;
  out.reason = r.reason;
  out.optimizer = optimizer;
  if (r.program) out.program = store_.latest(sig);
  return out;
}

Status StepPrograms::optimize(const StepConfig& step, const DspyConfig& dc,
                              const std::string& optimizer, std::stop_token stop) {
  StepOptimizationRequest req;
  req.optimizer = optimizer;
  if (!dc.training_data_path.empty()) {
    std::filesystem::path p = dc.training_data_path;
    if (p.is_relative()) p = wf_.file.parent_path() / p;
    req.data_file = p.string();
  }
  req.budget.max_lm_calls = dc.max_optimization_calls;
  req.budget.max_seconds = dc.max_optimization_seconds;
  auto spec = step_optimization_spec(wf_, step, s_.config, s_.plugins, req);
  if (!spec) return spec.status();
  auto inst = s_.plugins.create_optimizer(optimizer, "{}");
  if (!inst) return inst.status();
  auto session = OptimizationSession::create(std::move(*spec), s_.completion, s_.cache);
  if (!session) return session.status();
  OptimizationSession& s = **session;
  std::stop_callback on_stop(stop, [&s] { s.cancel(); });

  const std::string sig = s.spec().dspy.signature.hash();
  std::optional<StoredProgram> before = store_.latest(sig);
  spdlog::info("step '{}': optimizing in the background with {} ({} train / {} val examples)",
               step.name, optimizer, s.spec().trainset.size(), s.spec().valset.size());
  auto outcome = s.optimize(**inst, s_.program_service);
  if (!outcome) return outcome.status();
  if (outcome->stopped == "cancelled")
    return Status(StatusCode::kCancelled, "stopped before it finished");

  // adaptive frequency: count re-optimizations that did not beat the program they replace.
  if (auto stored = store_.get(outcome->cache_key)) {
    int unimproved = 0;
    if (before) {
      auto old_score = val_score(*before);
      bool improved =
          !old_score || (outcome->val_score &&
                         *outcome->val_score > *old_score + OptimizationFrequency::kAdaptiveGain);
      unimproved = improved ? 0 : cached_of(before)->unimproved + 1;
    }
    stored->report[kUnimproved] = unimproved;
    stored->created_unix_ms = 0;  // now: a rerun of the same optimization is fresh again
    store_.put(std::move(*stored));
  }
  spdlog::info("step '{}': optimized program stored ({} LM calls, val {:.3f})", step.name,
               outcome->lm_calls, outcome->val_score.value_or(0));
  return {};
}

bool StepPrograms::optimizing() const {
  return lazy_.any_running();
}

int StepPrograms::finish(std::chrono::seconds grace) {
  std::chrono::steady_clock::time_point deadline;
  {
    std::lock_guard lock(mu_);
    deadline = latest_end_;
  }
  if (deadline != std::chrono::steady_clock::time_point::max()) deadline += grace;
  return lazy_.finish(deadline);
}

void StepPrograms::cancel() {
  lazy_.request_stop();
}

}  // namespace pipeline
