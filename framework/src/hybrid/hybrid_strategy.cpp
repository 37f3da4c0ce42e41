#include <pipeline/dspy/completion_judge.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/hybrid/fallback_runner.hpp>
#include <pipeline/hybrid/hybrid_strategy.hpp>
#include <pipeline/hybrid/step_result_cache.hpp>
#include <pipeline/monitor/step_record_of.hpp>
#include <pipeline/monitor/variant_evidence.hpp>

#include <spdlog/spdlog.h>

#include <chrono>

namespace pipeline {

struct HybridStrategy::StepState {
  HybridConfig cfg;
  std::optional<dspy::StepDspy> dspy;  // nullopt: the step has no (usable) signature
  std::string signature_hash;
  std::optional<json::value> metric_spec;  // the reference-free metric, when the step has one
  bool metric_warned = false;
  // The router's evidence: the history's aggregates, then this run's executions added.
  ModeStats traditional;
  ModeStats dspy_optimized;
};

struct HybridStrategy::Attempt {
  Variant variant = Variant::kTraditional;
  Result<json::object> doc = Status(StatusCode::kUnknown, "not run");
  CallTotals calls;  // this attempt's own calls
  double latency_ms = 0;
  std::string provider;
  std::string model;
  std::string error_class;  // empty on success
  std::optional<double> quality;
  std::string metric;
  bool ran = false;  // false: synthesized (no program, a cached response), no execution to record
};

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void add_to(ModeStats& m, const StepRecord& r) {
  ++m.count;
  if (r.quality) {
    ++m.quality_n;
    m.quality_sum += *r.quality;
    m.quality_mean = m.quality_sum / static_cast<double>(m.quality_n);
  }
}

}  // namespace

HybridStrategy::HybridStrategy(Parts parts)
    : p_(std::move(parts)),
      traditional_(p_.runtime),
      disabled_chain_(FallbackConfig::builtin(), false) {
  if (!p_.chain) p_.chain = &builtin_chain_;
}

HybridStrategy::~HybridStrategy() = default;

HybridStrategy::StepState& HybridStrategy::state(const Workflow& wf, const StepConfig& step) {
  std::lock_guard lock(mu_);
  auto& slot = states_[&step];
  if (slot) return *slot;
  slot = std::make_unique<StepState>();
  StepState& st = *slot;
  // The run validated the workflow: what these report again is already known.
  Diagnostics quiet;
  st.cfg = hybrid_config_for(wf, &step, quiet);
  if (step.raw.contains("signature")) {
    st.dspy = dspy::step_dspy_from_config(step, quiet);
    if (st.dspy) {
      st.signature_hash = st.dspy->signature.hash();
      st.metric_spec = shadow_metric(st.cfg, step);
    }
  }
  if (st.dspy && p_.history) {
    auto evidence = variant_evidence(
        *p_.history,
        HistoryQuery{.workflow = wf.name, .step = step.name, .signature_hash = st.signature_hash});
    if (evidence) {
      st.traditional = evidence->traditional;
      st.dspy_optimized = evidence->dspy;
    } else {
      spdlog::warn(
          "step '{}': the execution history could not be read ({}); routing starts from "
          "no evidence",
          step.name, evidence.status().message());
    }
  }
  return st;
}

HybridStrategy::Attempt HybridStrategy::attempt(Variant v, const PreparedStep& prepared,
                                                const StepRun& run, StepState&) {
  Attempt a;
  a.variant = v;
  a.ran = true;
  // The attempt's own log: its calls count for the step too (the parent), and the monitor gets
  // each variant's own latency, tokens and cost.
  CallLog log(&run.calls);
  CallFrame frame = run.frame;
  frame.variant = std::string(variant_name(v));
  frame.log = &log;
  StepRun vrun{run.executor,       run.workflow, run.step, run.ctx, run.depth,
               run.pipeline_stack, frame,        log,      nullptr};
  StepStrategy& strategy =
      v == Variant::kDspyOptimized ? static_cast<StepStrategy&>(p_.programs) : traditional_;
  auto t0 = std::chrono::steady_clock::now();
  a.doc = strategy.run(prepared, vrun);
  a.latency_ms = ms_since(t0);
  a.calls = log.totals();
  a.provider = log.provider();
  a.model = log.model();
  if (!a.doc.ok()) {
    std::string cls = log.last_error_class();
    a.error_class = cls.empty() ? "step_error" : cls;
  }
  return a;
}

HybridStrategy::Attempt HybridStrategy::with_fallback(Variant v, const PreparedStep& prepared,
                                                      const StepRun& run, StepState& st,
                                                      bool fallback_enabled) {
  const StepConfig& step = run.step;
  const bool has_program = st.dspy && p_.programs.handles(step);
  std::vector<Attempt> attempts;  // every variant that ran, in order
  auto run_variant = [&](const std::string& name) -> VariantRun {
    const Variant next = parse_variant(name).value_or(Variant::kTraditional);
    if (next == Variant::kDspyOptimized && !has_program) {
      // DSPy unavailable: nothing runs; the chain decides what does.
      auto gap = p_.gaps.find(step.name);
      ProgramGap g =
          gap != p_.gaps.end() ? gap->second : ProgramGap{"dspy_unavailable", "no program"};
      return VariantRun{Status(StatusCode::kUnavailable,
                               "step '" + step.name + "' (dspy_optimized): " + g.reason),
                        g.error_class};
    }
    attempts.push_back(attempt(next, prepared, run, st));
    return VariantRun{attempts.back().doc, attempts.back().error_class};
  };
  FallbackRunner runner(fallback_enabled ? *p_.chain : disabled_chain_, p_.cached_responses.get());
  FallbackOutcome out =
      runner.run(std::string(variant_name(v)),
                 StepInputs{run.workflow.name, step.name, &prepared.input}, run.calls, run_variant);
  Attempt result;
  const bool last_answered = !attempts.empty() && !out.from_cache &&
                             std::string(variant_name(attempts.back().variant)) == out.variant &&
                             attempts.back().doc.ok() == out.doc.ok();
  if (last_answered) {
    result = std::move(attempts.back());
    attempts.pop_back();
  } else {
    // Answered by cached_response, or failed without running (no program).
    result.variant = parse_variant(out.variant).value_or(v);
    result.error_class = out.error_class;
  }
  result.doc = std::move(out.doc);
  // The attempts that failed before are executions too: the monitor counts their failures.
  for (auto& f : attempts) {
    StepRecord r = record_of(f, run, st, "run");
    {
      std::lock_guard lock(mu_);
      add_to(f.variant == Variant::kDspyOptimized ? st.dspy_optimized : st.traditional, r);
    }
    if (p_.record_extra) p_.record_extra(std::move(r));
  }
  return result;
}

void HybridStrategy::score(Attempt& a, const StepRun& run, StepState& st) {
  if (!st.metric_spec || !st.dspy || !a.doc.ok() || !a.ran) return;
  const dspy::Signature& sig = st.dspy->signature;
  auto resolver = [&run](std::string_view path) { return run.ctx.resolve(path); };
  auto inputs = dspy::resolve_inputs(sig, {}, resolver);
  if (!inputs) return;
  const json::value* out = a.doc->if_contains("output");
  dspy::Example predicted;
  if (a.variant == Variant::kDspyOptimized) {
    if (out && out->is_object())
      if (const auto* o = out->get_object().if_contains("outputs"); o && o->is_object())
        predicted = o->get_object();
  } else if (auto p = dspy::traditional_prediction(sig, out ? *out : json::value()); p) {
    predicted = std::move(*p);
  } else if (!sig.outputs.empty()) {
    // A reply that does not parse as the field's type is still an output: a reference-free
    // metric judges it as the text it is (a schema check fails it).
    predicted[sig.outputs.front().name] =
        out && out->is_object() ? json::value(get_string(out->get_object(), "text")) : "";
  }
  // Judge calls count for the step (its log), not for either variant's own figures.
  CallFrame frame = run.frame;
  frame.log = &run.calls;
  auto judge = dspy::completion_judge(p_.runtime.completion(), std::string(),
                                      run.executor.options().cancel, frame);
  auto metric = dspy::make_metric(*st.metric_spec, sig, judge);
  if (!metric) {
    std::lock_guard lock(mu_);
    if (!st.metric_warned)
      spdlog::warn("step '{}': the A/B metric cannot score: {}", run.step.name,
                   metric.status().message());
    st.metric_warned = true;
    return;
  }
  dspy::Example expected;
  auto s = (*metric)->score({*inputs, expected, predicted});
  if (!s) {
    spdlog::warn("step '{}': scoring the {} output failed: {}", run.step.name,
                 variant_name(a.variant), s.status().message());
    return;
  }
  a.quality = s->score;
  a.metric = (*metric)->name();
}

StepRecord HybridStrategy::record_of(const Attempt& a, const StepRun& run, const StepState& st,
                                     const std::string& source) const {
  StepRecord r;
  r.workflow = run.workflow.name;
  r.step = run.step.name;
  r.run_id = run.executor.run_id();
  r.episode = p_.episode.empty() ? r.run_id : p_.episode;
  r.mode = std::string(mode_name(p_.run_mode));
  r.variant = std::string(variant_name(a.variant));
  r.signature_hash = st.signature_hash;
  r.provider = a.provider;
  r.model = a.model;
  r.latency_ms = a.latency_ms;
  r.input_tokens = a.calls.input_tokens;
  r.output_tokens = a.calls.output_tokens;
  r.cost_usd = a.calls.cost_usd;
  r.quality = a.quality;
  r.metric = a.metric;
  r.success = a.doc.ok();
  r.error_class = a.error_class;
  r.fallback_hops = a.calls.fallback_hops;
  r.cache_hit = a.calls.cache_hits > 0 && a.calls.calls == 0;
  if (a.variant == Variant::kDspyOptimized) r.program_id = p_.programs.program_id(run.step);
  r.source = source;
  r.unix_ms = unix_now_ms();
  return r;
}

Result<json::object> HybridStrategy::run(const PreparedStep& prepared, const StepRun& run) {
  const StepConfig& step = run.step;
  StepState& st = state(run.workflow, step);
  const bool has_program = st.dspy && p_.programs.handles(step);
  auto gap = p_.gaps.find(step.name);

  RouteInput in;
  in.run_mode = p_.run_mode;
  in.step_forces_traditional = p_.run_mode != ExecutionMode::kTraditional &&
                               step_mode(p_.run_mode, step) == ExecutionMode::kTraditional;
  in.program_available = has_program;
  in.program_missing_reason = !st.dspy               ? std::string_view("the step has no signature")
                              : gap != p_.gaps.end() ? std::string_view(gap->second.reason)
                                                     : std::string_view("no program");
  in.reference_free_metric = st.metric_spec.has_value();
  in.config = &st.cfg;
  {
    std::lock_guard lock(mu_);
    in.traditional = st.traditional;
    in.dspy = st.dspy_optimized;
  }
  in.workflow = run.workflow.name;
  in.step = step.name;
  in.episode = p_.episode.empty() ? std::string_view(run.executor.run_id()) : p_.episode;
  const Route route = router_.route(in);

  const bool fallback = st.cfg.fallback_enabled;
  // dspy_optimized with no program: the router said traditional; the chain says whether that
  // is allowed (fallback_enabled: false fails the step instead).
  Variant first = route.variant;
  if (route.mode == ExecutionMode::kDspyOptimized && st.dspy && !has_program &&
      !in.step_forces_traditional)
    first = Variant::kDspyOptimized;

  Attempt result;
  std::optional<Attempt> other;  // the variant a shadow test or the evaluation mode did not return
  std::string other_source;
  if (route.ab == AbKind::kShadow && has_program) {
    Attempt t = attempt(Variant::kTraditional, prepared, run, st);
    Attempt d = attempt(Variant::kDspyOptimized, prepared, run, st);
    score(t, run, st);
    score(d, run, st);
    // The better by the metric; a tie keeps the router's variant, a failure loses.
    bool dspy_wins = d.doc.ok() && (!t.doc.ok() || d.quality.value_or(0) > t.quality.value_or(0) ||
                                    (d.quality.value_or(0) == t.quality.value_or(0) &&
                                     route.variant == Variant::kDspyOptimized));
    result = std::move(dspy_wins ? d : t);
    other = std::move(dspy_wins ? t : d);
    other_source = "shadow";
    if (!result.doc.ok()) result = with_fallback(route.variant, prepared, run, st, fallback);
  } else if (route.mode == ExecutionMode::kEvaluation && has_program) {
    result = with_fallback(Variant::kTraditional, prepared, run, st, fallback);
    other = attempt(Variant::kDspyOptimized, prepared, run, st);
    score(result, run, st);
    score(*other, run, st);
    other_source = "evaluation";
  } else {
    result = with_fallback(first, prepared, run, st, fallback);
    if (p_.run_mode == ExecutionMode::kHybrid) score(result, run, st);
  }

  StepRecord own = record_of(result, run, st, "run");
  std::optional<StepRecord> extra;
  if (other && other->ran) {
    extra = record_of(*other, run, st, other_source);
    if (p_.record_extra) p_.record_extra(*extra);
  }
  {
    std::lock_guard lock(mu_);
    if (result.ran)
      add_to(result.variant == Variant::kDspyOptimized ? st.dspy_optimized : st.traditional, own);
    if (extra)
      add_to(extra->variant == "dspy_optimized" ? st.dspy_optimized : st.traditional, *extra);
    if (route.mode == ExecutionMode::kEvaluation && extra) {
      auto& rows = evaluation_[step.name];
      rows.first.push_back(own);
      rows.second.push_back(*extra);
    }
  }

  if (run.notes) {
    StepNotes& n = *run.notes;
    if (!result.doc.ok()) n.error_class = result.error_class;
    if (result.ran)
      n.own = VariantFigures{result.calls, result.latency_ms, result.provider, result.model};
    n.variant = std::string(variant_name(result.variant));
    n.route = route.to_json();
    n.signature_hash = st.signature_hash;
    n.quality = result.quality;
    n.metric = result.metric;
    if (result.variant == Variant::kDspyOptimized) {
      n.program_id = p_.programs.program_id(step);
      n.program_source = p_.programs.program_source(step);
    }
  }
  return std::move(result.doc);
}

std::map<std::string, std::pair<std::vector<StepRecord>, std::vector<StepRecord>>>
HybridStrategy::evaluation_records() const {
  std::lock_guard lock(mu_);
  return evaluation_;
}

}  // namespace pipeline
