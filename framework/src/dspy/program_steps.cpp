#include <pipeline/dspy/program_steps.hpp>

#include <pipeline/dspy/chain_of_thought.hpp>
#include <pipeline/dspy/program.hpp>
#include <pipeline/dspy/python_text.hpp>
#include <pipeline/dspy/step_dspy.hpp>
#include <pipeline/engine/executor.hpp>

namespace pipeline::dspy {

json::object program_step_result(const Predict& p, const PredictResult& r,
                                 const std::string& source) {
  json::object out;
  out["success"] = r.ok();
  std::string text;
  for (const auto& f : p.signature().outputs) {
    if (f.name == "reasoning" && p.signature().outputs.size() > 1) continue;
    if (const auto* v = r.outputs.if_contains(f.name)) text = python_str(*v);
    break;
  }
  out["text"] = text;
  out["outputs"] = r.outputs;
  out["mode"] = "dspy_optimized";
  out["program"] = p.id();
  if (!source.empty()) out["program_source"] = source;
  out["adapter"] = r.adapter;
  out["lm_calls"] = r.lm_calls;
  out["cached"] = r.lm_calls > 0 && r.cache_hits == r.lm_calls;
  out["input_tokens"] = r.input_tokens;
  out["output_tokens"] = r.output_tokens;
  out["cost_usd"] = r.cost_usd;
  if (r.parse_error) {
    json::array expected;
    for (const auto& e : r.parse_error->expected_fields) expected.emplace_back(json::string(e));
    out["error"] = json::object{{"type", "adapter_parse_error"},
                                {"adapter", r.parse_error->adapter_name},
                                {"message", r.parse_error->message()},
                                {"raw_reply", r.parse_error->lm_response},
                                {"expected_fields", std::move(expected)}};
  } else if (!r.lm_error.ok()) {
    out["error"] = json::object{{"type", "lm_error"}, {"message", r.lm_error.to_string()}};
  }
  return out;
}

Status ProgramSteps::add(const Workflow& wf, const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    return invalid_argument("--program " + spec + ": expected STEP=FILE[:PREDICTOR]");
  std::string step_name = spec.substr(0, eq), file = spec.substr(eq + 1), predictor;
  // FILE:PREDICTOR; a ':' that is part of the path (no predictor after it) stays in the path.
  if (auto colon = file.rfind(':');
      colon != std::string::npos && file.find(".json", colon) == std::string::npos) {
    predictor = file.substr(colon + 1);
    file = file.substr(0, colon);
  }
  const StepConfig* step = nullptr;
  for (const auto& s : wf.steps)
    if (s.name == step_name) step = &s;
  if (!step)
    return invalid_argument("--program " + spec + ": no step '" + step_name + "' in " +
                            wf.file.string());
  auto prog = Program::load_file(file);
  if (!prog) return prog.status();
  return add_program(wf, step_name, *prog, predictor, file, "file");
}

Status ProgramSteps::add_program(const Workflow& wf, const std::string& step_name,
                                 const Program& program, const std::string& predictor,
                                 const std::string& origin, const std::string& source) {
  const StepConfig* step = nullptr;
  for (const auto& s : wf.steps)
    if (s.name == step_name) step = &s;
  if (!step) return invalid_argument("no step '" + step_name + "' in " + wf.file.string());
  Diagnostics diags;
  auto d = step_dspy_from_config(*step, diags);
  if (!d) return invalid_argument(diags.format());
  auto p = choose_predictor(program, predictor);
  if (!p) return Status(p.status().code(), origin + ": " + p.status().message());
  auto bound = bind_predictor(**p, d->signature, d->chain_of_thought);
  if (!bound) return Status(bound.status().code(), origin + ": " + bound.status().message());
  PredictOptions opts = step_predict_options(*step, *d);
  std::string id = origin + ":" + bound->predictor + "@" + bound->signature.hash().substr(0, 12);
  steps_.erase(step_name);
  steps_.emplace(step_name, Predict(std::move(bound->signature), std::move(bound->demos),
                                    std::move(opts), id));
  sources_[step_name] = source;
  return {};
}

std::string ProgramSteps::program_source(const StepConfig& step) const {
  auto it = sources_.find(step.name);
  return it == sources_.end() ? std::string() : it->second;
}

std::string ProgramSteps::program_id(const StepConfig& step) const {
  auto it = steps_.find(step.name);
  return it == steps_.end() ? std::string() : it->second.id();
}

Result<json::object> ProgramSteps::run(const PreparedStep& prepared, const StepRun& run) {
  const StepConfig& step = run.step;
  auto it = steps_.find(step.name);
  if (it == steps_.end()) return internal_error("step '" + step.name + "' has no program");
  const Predict& p = it->second;
  auto fail = [&](json::object result, const std::string& why) -> Result<json::object> {
    // The result stays visible (with its typed error) although the step fails.
    run.ctx.set_result(step.name, json::value(std::move(result)));
    return Status(StatusCode::kUnknown,
                  "step '" + step.name + "' (" + step.type + ", dspy_optimized) failed: " + why);
  };
  auto resolver = [&run](std::string_view path) { return run.ctx.resolve(path); };
  auto inputs = resolve_inputs(p.signature(), {}, resolver);
  if (!inputs)
    return fail(json::object{{"success", false}, {"mode", "dspy_optimized"}, {"program", p.id()}},
                inputs.status().message());
  CallContext ctx(run.executor.options().cancel);
  ctx.set_frame(&run.frame);
  PredictResult r =
      p.run(*inputs, lm_, CompletionCall{ctx, run.frame}, get_string(prepared.input, "provider"));
  auto src = sources_.find(step.name);
  json::object result =
      program_step_result(p, r, src == sources_.end() ? std::string() : src->second);
  if (!r.ok()) return fail(std::move(result), r.error_message());
  return json::object{{"output", std::move(result)}};
}

}  // namespace pipeline::dspy
