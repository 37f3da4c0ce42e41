#include <pipeline/engine/condition.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/prompt_builder.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/util/atomic_file.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

namespace pipeline {

namespace fs = std::filesystem;

namespace {

// Sub-trees rendered later by the step that owns them (loop bodies, loop conditions) or
// rendered separately (prompt parts, the step's own condition).
const std::set<std::string, std::less<>> kDeferredKeys = {
    "steps", "prompt", "condition", "break_condition", "continue_condition"};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string file_content(const json::value& output, const std::string& name) {
  // A .json target gets the whole result; any other file gets the text a user would read.
  bool is_json = name.size() >= 5 && name.compare(name.size() - 5, 5, ".json") == 0;
  if (is_json) return json::serialize(output) + "\n";
  return result_text(output);
}

}  // namespace

Executor::Executor(Runtime& runtime, ExecutorOptions options)
    : runtime_(runtime), options_(std::move(options)) {}

RunResult Executor::run(const Workflow& wf) {
  auto t0 = std::chrono::steady_clock::now();
  RunResult result;
  result.workflow = wf.name;
  json::object globals = wf.global_vars;
  for (const auto& kv : options_.global_var_overrides) globals[kv.key()] = kv.value();
  RunContext ctx(std::move(globals), options_.inputs);

  for (const auto& step : wf.steps) {
    if (options_.cancel.cancelled()) {
      result.success = false;
      result.cancelled = true;
      result.error = "run cancelled before step '" + step.name + "'";
      break;
    }
    StepOutcome outcome = run_step(wf, step, ctx, result);
    if (options_.on_step_done) options_.on_step_done(outcome);
    bool failed = outcome.state == StepOutcome::State::kFailed;
    if (failed) {
      result.success = false;
      result.failed_step = step.name;
      result.error = outcome.reason;
    }
    result.steps.push_back(std::move(outcome));
    if (failed) break;
  }
  result.results = ctx.results();
  result.variables = ctx.variables();
  result.totals = runtime_.completion().totals();
  result.duration_ms = ms_since(t0);
  return result;
}

StepOutcome Executor::run_step(const Workflow& wf, const StepConfig& step, RunContext& ctx,
                               RunResult& result) {
  auto t0 = std::chrono::steady_clock::now();
  StepOutcome out;
  out.name = step.name;
  out.type = step.type;
  auto fail = [&](std::string why) {
    out.state = StepOutcome::State::kFailed;
    out.reason = runtime_.plugins().redactor().redact(why);
    out.duration_ms = ms_since(t0);
    return out;
  };

  std::set<std::string> unknown;
  auto on_unknown = [&](std::string_view var) { unknown.emplace(var); };
  auto resolver = [&ctx](std::string_view p) { return ctx.resolve(p); };
  auto flush_unknown = [&] {
    for (const auto& var : unknown) {
      std::string w = step.where.to_string() + ": step '" + step.name + "': unknown variable '" +
                      var + "' rendered as empty";
      spdlog::warn("{}", w);
      result.warnings.push_back(std::move(w));
    }
    unknown.clear();
  };

  if (step.condition) {
    auto c = evaluate_condition(*step.condition, resolver, on_unknown);
    flush_unknown();
    if (!c) return fail(c.status().message());
    if (!*c) {
      out.state = StepOutcome::State::kSkipped;
      out.reason = "condition " + json::serialize(*step.condition) + " is false";
      out.duration_ms = ms_since(t0);
      return out;
    }
  }

  Interpolator interp(resolver, on_unknown);
  PromptBuilder prompts(ctx, interp, wf.file.parent_path());
  auto prompt = prompts.render(step.prompt);
  if (!prompt) {
    flush_unknown();
    return fail("prompt: " + prompt.status().message());
  }
  auto rendered = interp.render_value(step.raw, kDeferredKeys);
  flush_unknown();
  if (!rendered) return fail(rendered.status().message());

  auto instance = runtime_.step(step.type);
  if (!instance) return fail(instance.status().message());
  out.provider = runtime_.config().provider_for(step.type);

  fs::path output_dir = options_.output_dir ? *options_.output_dir : fs::path(wf.output_dir);
  json::object input;
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
                                   {"output_dir", output_dir.string()}};

  CallContext call_ctx(options_.cancel);
  CallResult r = (*instance)->execute(json::serialize(input), call_ctx);
  if (!r.ok()) {
    return fail("step '" + step.name + "' (" + step.type + ") failed: " + status_code_name(r.status) +
                (r.error.empty() ? "" : ": " + r.error));
  }
  auto doc = parse_json(r.body);
  if (!doc || !doc->is_object() || !doc->get_object().contains("output")) {
    return fail("step type '" + step.type + "' (plugin " +
                (*instance)->component().library()->info().file.string() +
                ") returned a malformed result: " +
                (doc ? std::string("expected a JSON object with \"output\"") : doc.status().message()));
  }
  json::object& o = doc->get_object();
  if (auto* vars = o.if_contains("set_variables"); vars && vars->is_object()) {
    for (const auto& kv : vars->get_object()) ctx.set_variable(kv.key(), kv.value());
  }
  json::value output = std::move(o["output"]);

  if (!step.output_to_file.empty()) {
    fs::path target = output_dir / step.output_to_file;
    std::string content = runtime_.plugins().redactor().redact(file_content(output, step.output_to_file));
    if (auto st = write_file_atomically(target, content); !st.ok()) {
      ctx.set_result(step.name, std::move(output));
      return fail("output_to_file: " + st.message());
    }
    out.output_file = target.string();
  }
  ctx.set_result(step.name, std::move(output));
  out.duration_ms = ms_since(t0);
  return out;
}

}  // namespace pipeline
