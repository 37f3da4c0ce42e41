#include <pipeline/config/dspy_config.hpp>
#include <pipeline/engine/checkpoint.hpp>
#include <pipeline/engine/condition.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/prompt_builder.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/engine/traditional_strategy.hpp>
#include <pipeline/hybrid/hybrid_config.hpp>
#include <pipeline/llm/call_frame.hpp>
#include <pipeline/monitor/step_record_of.hpp>
#include <pipeline/util/atomic_file.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>

namespace pipeline {

namespace fs = std::filesystem;

namespace {

// Sub-trees rendered later by the step that owns them (loop bodies, loop conditions) or
// rendered separately (prompt parts, the step's own condition).
const std::set<std::string, std::less<>> kDeferredKeys = {"steps", "prompt", "condition",
                                                          "break_condition", "continue_condition"};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string file_content(const json::value& output, const std::string& name) {
  // A .json target gets the whole result; any other file gets the text a user would read.
  bool is_json = name.size() >= 5 && name.compare(name.size() - 5, 5, ".json") == 0;
  if (is_json) return json::serialize(output) + "\n";
  return result_text(output);
}

// Unique enough to tell runs apart in records and logs: 64 random bits.
std::string new_run_id() {
  std::random_device rd;
  uint64_t bits = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(bits));
  return buf;
}

}  // namespace

Executor::Executor(Runtime& runtime, ExecutorOptions options)
    : runtime_(runtime),
      options_(std::move(options)),
      traditional_(std::make_unique<TraditionalStrategy>(runtime)) {}

Executor::~Executor() = default;

void Executor::warn(std::string message) {
  std::lock_guard lock(warnings_mu_);
  warnings_.push_back(std::move(message));
}

RunResult Executor::run(const Workflow& wf) {
  run_id_ = new_run_id();
  RunResult result;
  result.workflow = wf.name;
  json::object globals = wf.global_vars;
  for (const auto& kv : options_.global_var_overrides) globals[kv.key()] = kv.value();
  RunContext ctx(std::move(globals), options_.inputs);

  // A run killed while writing (SIGKILL, a crash) leaves "<file>.tmp.<pid>.<n>" behind; the next
  // run clears those of dead processes from where it writes.
  for (const fs::path& dir : {options_.output_dir ? *options_.output_dir : fs::path(wf.output_dir),
                              fs::path(wf.checkpoint_dir)}) {
    if (std::size_t n = remove_stale_temp_files(dir); n > 0) {
      spdlog::info("removed {} temporary file(s) left in {} by an interrupted run", n,
                   dir.string());
    }
  }

  std::size_t first = 0;
  if (wf.checkpoint_enabled && options_.resume) {
    CheckpointStore store(wf, runtime_.plugins().redactor());
    auto cp = store.load();
    if (!cp) {
      warn("--resume: " + cp.status().message() + "; starting from the first step");
    } else if (!cp->has_value()) {
      warn("--resume: no checkpoint at " + store.path().string() +
           "; starting from the first step");
    } else if ((*cp)->finished) {
      warn("--resume: the checkpointed run of '" + wf.name +
           "' had finished; starting from the first step");
    } else if ((*cp)->next_step > wf.steps.size()) {
      warn(
          "--resume: checkpoint does not match the workflow's steps; starting from the first step");
    } else {
      const Checkpoint& c = **cp;
      RunContext restored = RunContext::from_json(c.state);
      json::object saved_globals = restored.global_vars();
      // Flags given on the resuming command line win over the saved ones.
      for (const auto& kv : options_.global_var_overrides) saved_globals[kv.key()] = kv.value();
      json::object saved_inputs = restored.inputs();
      for (const auto& kv : options_.inputs) saved_inputs[kv.key()] = kv.value();
      ctx = RunContext(std::move(saved_globals), std::move(saved_inputs));
      for (const auto& kv : restored.results()) ctx.set_result(std::string(kv.key()), kv.value());
      for (const auto& kv : restored.variables())
        ctx.set_variable(std::string(kv.key()), kv.value());
      first = c.next_step;
      for (std::size_t i = 0; i < first; ++i) {
        StepOutcome o;
        o.name = wf.steps[i].name;
        o.type = wf.steps[i].type;
        o.reason = "restored from checkpoint";
        result.steps.push_back(std::move(o));
      }
      result.resumed_from = first < wf.steps.size() ? wf.steps[first].name : std::string();
    }
  }
  return run_steps(wf, ctx, Nesting{}, first, std::move(result));
}

RunResult Executor::run_nested(const Workflow& wf, RunContext ctx, Nesting nesting) {
  RunResult result;
  result.workflow = wf.name;
  return run_steps(wf, ctx, nesting, 0, std::move(result));
}

RunResult Executor::run_steps(const Workflow& wf, RunContext& ctx, const Nesting& nesting,
                              std::size_t first, RunResult result) {
  auto t0 = std::chrono::steady_clock::now();
  std::optional<CheckpointStore> store;
  if (wf.checkpoint_enabled && nesting.depth == 0) store.emplace(wf, runtime_.plugins().redactor());
  Checkpoint cp;
  cp.workflow = wf.name;
  cp.file = wf.file.string();
  for (std::size_t i = 0; i < first; ++i) cp.completed.push_back(wf.steps[i].name);

  for (std::size_t i = first; i < wf.steps.size(); ++i) {
    const StepConfig& step = wf.steps[i];
    if (options_.cancel.cancelled()) {
      result.success = false;
      result.cancelled = true;
      result.failed_step = step.name;
      result.error = "run cancelled before step '" + step.name + "'";
      break;
    }
    StepOutcome outcome = run_step(wf, step, ctx, nesting);
    if (options_.on_step_done && nesting.depth == 0) options_.on_step_done(outcome);
    const bool cancelled = outcome.state == StepOutcome::State::kCancelled;
    const bool failed = cancelled || outcome.state == StepOutcome::State::kFailed;
    if (failed) {
      result.success = false;
      result.failed_step = step.name;
      result.error = outcome.reason;
      result.cancelled = cancelled;
    }
    result.steps.push_back(std::move(outcome));
    if (failed) break;
    if (store) {
      cp.completed.push_back(step.name);
      cp.next_step = i + 1;
      cp.finished = i + 1 == wf.steps.size();
      cp.state = ctx.to_json();
      if (auto st = store->save(cp); !st.ok()) warn("checkpoint: " + st.message());
    }
  }
  result.results = ctx.results();
  result.variables = ctx.variables();
  // This run's own calls: an embedder running several workflows on one Runtime sees each apart.
  for (const auto& s : result.steps) result.totals.add(s.record.calls);
  result.duration_ms = ms_since(t0);
  if (nesting.depth == 0) {
    // Nested runs leave their warnings for the top-level result.
    std::lock_guard lock(warnings_mu_);
    for (auto& w : warnings_) result.warnings.push_back(std::move(w));
    warnings_.clear();
  }
  return result;
}

namespace {

void apply_notes(StepNotes& notes, ExecutionRecord& rec) {
  if (!notes.variant.empty()) rec.variant = std::move(notes.variant);
  if (!notes.program_source.empty()) rec.program_source = std::move(notes.program_source);
  rec.signature_hash = std::move(notes.signature_hash);
  rec.program_id = std::move(notes.program_id);
  rec.quality = notes.quality;
  rec.metric = std::move(notes.metric);
  rec.route = std::move(notes.route);
  rec.variant_own = std::move(notes.own);
}

}  // namespace

StepOutcome Executor::run_step(const Workflow& wf, const StepConfig& step, RunContext& ctx,
                               const Nesting& nesting) {
  auto t0 = std::chrono::steady_clock::now();
  // The strategy (the router, in every mode but traditional) serves top-level steps: a sub-step's
  // calls and record count for the step that ran it, so it has no history of its own to route by.
  const bool top_level = nesting.depth == 0 && nesting.parent_calls == nullptr;
  StepStrategy* chosen =
      options_.choose_strategy && top_level ? options_.choose_strategy(step) : nullptr;
  StepStrategy& strategy = chosen ? *chosen : *traditional_;
  // The frame every LLM call of this step carries, its own and its plugin's.
  CallLog calls(nesting.parent_calls);
  CallFrame frame{.run_id = run_id_,
                  .step = step.name,
                  .mode = std::string(strategy.mode()),
                  .variant = {},
                  .step_type = step.type,
                  .log = &calls};
  // hybrid_config.fallback_enabled: false keeps this step's calls off the chain's provider hops.
  // Only a workflow that has a hybrid_config pays for reading it.
  if (wf.raw.contains("hybrid_config") || step.raw.contains("hybrid_config")) {
    Diagnostics validated_before_the_run;
    frame.fallback = hybrid_config_for(wf, &step, validated_before_the_run).fallback_enabled;
  }
  // dspy_config.cache_enabled: false (the workflow's or the step's own) keeps its calls out of
  // the response cache; likewise only a workflow with a dspy_config pays for reading it.
  if (wf.raw.contains("dspy_config") || step.raw.contains("dspy_config")) {
    Diagnostics validated_before_the_run;
    frame.response_cache = dspy_config_for(wf, &step, validated_before_the_run).cache_enabled;
  }
  StepNotes notes;
  StepRun run{*this, wf, step, ctx, nesting.depth, nesting.pipeline_stack, frame, calls, &notes};

  StepOutcome out;
  out.name = step.name;
  out.type = step.type;
  out.provider = runtime_.config().provider_for(step.type);
  auto prepared = prepare(run, out);
  if (prepared && *prepared) {
    auto doc = strategy.run(**prepared, run);
    if (!doc) {
      out.state = StepOutcome::State::kFailed;
      out.reason = doc.status().message();
    } else {
      commit(**prepared, std::move(*doc), run, out);
    }
  } else if (!prepared) {
    out.state = StepOutcome::State::kFailed;
    out.reason = prepared.status().message();
  }

  if (out.state == StepOutcome::State::kFailed) {
    // A step that stopped because the run was cancelled is a cancellation, not a bug of its own.
    if (options_.cancel.cancelled()) out.state = StepOutcome::State::kCancelled;
    out.reason = runtime_.plugins().redactor().redact(out.reason);
  }
  out.duration_ms = ms_since(t0);
  out.record = ExecutionRecord::of(frame, calls, out.duration_ms);
  out.record.program_source = strategy.program_source(step);
  apply_notes(notes, out.record);
  if (out.state == StepOutcome::State::kCancelled) {
    out.record.error_class = "cancelled";
  } else if (out.state == StepOutcome::State::kFailed) {
    std::string cls = !notes.error_class.empty() ? notes.error_class : calls.last_error_class();
    out.record.error_class = cls.empty() ? "step_error" : cls;
  }
  record(wf, nesting, out);
  return out;
}

void Executor::record(const Workflow& wf, const Nesting& nesting, const StepOutcome& out) {
  // One record per top-level step execution: sub-steps count for the step that ran them, a
  // skipped step did not execute, and a cancelled one says nothing about the step.
  // (Loop bodies run at their loop's depth; what marks a sub-step is the parent's call log.)
  if (nesting.depth != 0 || nesting.parent_calls != nullptr || !options_.record_steps) return;
  if (out.state != StepOutcome::State::kCompleted && out.state != StepOutcome::State::kFailed)
    return;
  PerformanceMonitor* monitor = runtime_.monitor();
  if (monitor == nullptr) return;
  monitor->record(step_record_of(out, wf.name, run_id_, episode(), unix_now_ms()));
}

Result<std::optional<PreparedStep>> Executor::prepare(const StepRun& run, StepOutcome& out) {
  const StepConfig& step = run.step;
  const Workflow& wf = run.workflow;
  RunContext& ctx = run.ctx;
  std::set<std::string> unknown;
  auto on_unknown = [&](std::string_view var) { unknown.emplace(var); };
  auto resolver = [&ctx](std::string_view p) { return ctx.resolve(p); };
  // Rendering, file parts and expressions stop at Ctrl-C / SIGTERM too, not only plugin calls.
  const CancelCheck cancelled = [this] { return options_.cancel.cancelled(); };
  auto flush_unknown = [&] {
    for (const auto& var : unknown) {
      std::string w = step.where.to_string() + ": step '" + step.name + "': unknown variable '" +
                      var + "' rendered as empty";
      spdlog::warn("{}", w);
      warn(std::move(w));
    }
    unknown.clear();
  };

  if (step.condition) {
    auto c = evaluate_condition(*step.condition, resolver, on_unknown, cancelled);
    flush_unknown();
    if (!c) return c.status();
    if (!*c) {
      out.state = StepOutcome::State::kSkipped;
      out.reason = "condition " + json::serialize(*step.condition) + " is false";
      return std::optional<PreparedStep>();
    }
  }

  Interpolator interp(resolver, on_unknown, cancelled);
  PromptBuilder prompts(ctx, interp, wf.file.parent_path(), cancelled);
  auto prompt = prompts.render(step.prompt);
  if (!prompt) {
    flush_unknown();
    return Status(prompt.status().code(), "prompt: " + prompt.status().message());
  }
  auto rendered = interp.render_value(step.raw, kDeferredKeys);
  flush_unknown();
  if (!rendered) return rendered.status();

  PreparedStep p;
  p.output_dir = options_.output_dir ? *options_.output_dir : fs::path(wf.output_dir);
  // output_to_file is a step string like any other: its {{...}} are rendered.
  p.output_file = step.output_to_file;
  if (const auto* o =
          rendered->is_object() ? rendered->get_object().if_contains("output_to_file") : nullptr;
      o != nullptr && o->is_string()) {
    p.output_file = std::string(o->get_string());
  }
  if (!step.output_to_file.empty() && p.output_file.empty()) {
    return invalid_argument("output_to_file '" + step.output_to_file + "' renders empty");
  }
  json::object& input = p.input;
  input["step_name"] = step.name;
  input["step_type"] = step.type;
  input["step"] = std::move(*rendered);
  input["provider"] = out.provider;
  input["prompt_text"] = prompt->text;
  input["prompt_parts"] = prompt->parts;
  input["defaults"] = wf.defaults;
  input["workflow"] = json::object{{"name", wf.name},
                                   {"file", wf.file.string()},
                                   {"workspace_dir", wf.workspace_dir},
                                   {"output_dir", p.output_dir.string()},
                                   {"sections", wf.sections}};
  input["depth"] = run.depth;
  return std::optional<PreparedStep>(std::move(p));
}

void Executor::commit(const PreparedStep& prepared, json::object doc, const StepRun& run,
                      StepOutcome& out) {
  RunContext& ctx = run.ctx;
  const std::string& name = run.step.name;
  if (auto* vars = doc.if_contains("set_variables"); vars && vars->is_object()) {
    for (const auto& kv : vars->get_object()) ctx.set_variable(kv.key(), kv.value());
  }
  json::value output = std::move(doc["output"]);
  if (!prepared.output_file.empty()) {
    fs::path target = prepared.output_dir / prepared.output_file;
    std::string content =
        runtime_.plugins().redactor().redact(file_content(output, prepared.output_file));
    if (auto st = write_file_atomically(target, content); !st.ok()) {
      ctx.set_result(name, std::move(output));
      out.state = StepOutcome::State::kFailed;
      out.reason = "output_to_file: " + st.message();
      return;
    }
    out.output_file = target.string();
  }
  // A step cut short by cancellation may hand back what it finished, marked "cancelled" (a
  // for_loop with the iterations that completed): that is kept, and the run stops as cancelled.
  const bool partial = options_.cancel.cancelled() && output.is_object() &&
                       output.get_object().contains("cancelled");
  ctx.set_result(name, std::move(output));
  if (partial) {
    out.state = StepOutcome::State::kCancelled;
    out.reason = "step '" + name + "' cancelled; the results it finished are kept";
  }
}

}  // namespace pipeline
