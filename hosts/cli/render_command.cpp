// `pipeline render WORKFLOW --step S`: the exact messages a step would send in dspy_optimized mode
// (DSPy's inspect_history, before the call), without calling a provider.
#include "commands.hpp"
#include "host_setup.hpp"

#include <pipeline/dspy/chain_of_thought.hpp>
#include <pipeline/dspy/program.hpp>
#include <pipeline/dspy/step_dspy.hpp>
#include <pipeline/dspy/value_parse.hpp>
#include <pipeline/sdk/file_reader.hpp>
#include <pipeline/util/utf8.hpp>

#include <iostream>

namespace pipeline::cli {

namespace {

int fail(bool as_json, const std::string& message) {
  if (as_json) std::cout << json::serialize(json::object{{"error", message}}) << std::endl;
  std::cerr << "error: " << message << "\n";
  return kExitBadInput;
}

}  // namespace

void add_render_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string file, step, inputs_file, program, predictor, adapter;
    std::vector<std::string> sets;
    bool cot = false;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "render", "Print the messages a step sends in dspy_optimized mode (no provider call)");
  cmd->add_option("file", opts->file, "The workflow YAML file")->required();
  cmd->add_option("--step", opts->step, "The step (it needs a `signature:`)")->required();
  cmd->add_option("--set", opts->sets, "An input value, k=v (repeatable)");
  cmd->add_option("--inputs", opts->inputs_file, "A JSON object of input values");
  cmd->add_option("--program", opts->program,
                  "A program JSON (DSPy's save() format) for instructions and demos");
  cmd->add_option("--predictor", opts->predictor,
                  "Which predictor of the program (default: the only runnable one)");
  cmd->add_option("--adapter", opts->adapter,
                  "chat or json (default: the step's adapter, else chat)")
      ->check(CLI::IsMember({"chat", "json"}));
  cmd->add_flag("--cot", opts->cot, "Chain of thought: add DSPy's reasoning output first");
  cmd->add_flag("--json", opts->json, "Print {\"messages\": [{\"role\", \"content\"}...], ...}");
  cmd->callback([opts, &exit_code] {
    setup_logging(true);
    Diagnostics diags;
    auto wf = load_workflow(opts->file, diags);
    if (!wf || diags.has_errors()) {
      print_diagnostics(diags);
      exit_code = fail(opts->json, opts->file + ": the workflow has errors");
      return;
    }
    const StepConfig* step = nullptr;
    for (const auto& s : wf->steps)
      if (s.name == opts->step) step = &s;
    if (!step) {
      exit_code = fail(opts->json, "no step '" + opts->step + "' in " + opts->file);
      return;
    }
    auto d = dspy::step_dspy_from_config(*step, diags);
    if (!d) {
      print_diagnostics(diags);
      exit_code = fail(opts->json, "step '" + opts->step + "' cannot run as a DSPy program");
      return;
    }
    json::object given;
    if (!opts->inputs_file.empty()) {
      auto content = read_input_file(opts->inputs_file);
      if (!content) {
        exit_code = fail(opts->json, content.message);
        return;
      }
      auto doc = parse_json(content.data);
      if (!doc || !doc->is_object()) {
        exit_code =
            fail(opts->json, opts->inputs_file + ": expected a JSON object of input values" +
                                 (doc ? "" : " (" + doc.status().message() + ")"));
        return;
      }
      given = doc->get_object();
    }
    for (const auto& kv : opts->sets) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        exit_code = fail(opts->json, "--set " + kv + ": expected k=v");
        return;
      }
      std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
      const auto* field = d->signature.input(key);
      // A typed input takes the JSON the text holds ("[1, 2]" for a list); text stays text.
      if (field && !field->type.is_str()) {
        if (auto v = dspy::parse_field_value(json::value(json::string(value)), field->type)) {
          given[key] = *v;
          continue;
        }
      }
      given[key] = value;
    }
    dspy::Signature sig = d->signature;
    std::vector<dspy::Example> demos;
    std::string predictor_name;
    bool cot = opts->cot || d->chain_of_thought;
    if (!opts->program.empty()) {
      auto prog = dspy::Program::load_file(opts->program);
      if (!prog) {
        exit_code = fail(opts->json, prog.status().message());
        return;
      }
      auto p = dspy::choose_predictor(*prog, opts->predictor);
      if (!p) {
        exit_code = fail(opts->json, opts->program + ": " + p.status().message());
        return;
      }
      auto bound = dspy::bind_predictor(**p, d->signature, cot);
      if (!bound) {
        exit_code = fail(opts->json, opts->program + ": " + bound.status().message());
        return;
      }
      sig = std::move(bound->signature);
      demos = std::move(bound->demos);
      predictor_name = bound->predictor;
    } else if (cot) {
      sig = dspy::with_reasoning(sig);
    }
    auto resolver = [&given](std::string_view path) -> std::optional<json::value> {
      if (path.rfind("inputs.", 0) != 0) return std::nullopt;
      if (const auto* v = given.if_contains(path.substr(7))) return *v;
      return std::nullopt;
    };
    auto inputs = dspy::resolve_inputs(sig, given, resolver);
    if (!inputs) {
      exit_code = fail(opts->json, "step '" + opts->step + "': " + inputs.status().message());
      return;
    }
    auto adapter = dspy::make_adapter(opts->adapter.empty() ? d->adapter : opts->adapter);
    auto messages = adapter->format(sig, demos, *inputs);
    if (opts->json) {
      json::array ms;
      for (const auto& m : messages)
        ms.push_back(json::object{{"role", m.role}, {"content", m.content}});
      json::object doc{
          {"messages", std::move(ms)},    {"step", opts->step},
          {"adapter", adapter->name()},   {"chain_of_thought", dspy::has_reasoning(sig)},
          {"signature", sig.to_string()}, {"signature_hash", d->signature.hash()},
          {"demos", demos.size()},        {"request_options", adapter->request_options(sig)}};
      if (!opts->program.empty()) {
        doc["program"] = opts->program;
        doc["predictor"] = predictor_name;
      }
      std::cout << valid_utf8(json::serialize(doc)) << std::endl;
    } else {
      for (const auto& m : messages)
        std::cout << "=== " << m.role << " ===\n" << m.content << "\n\n";
    }
    exit_code = kExitOk;
  });
}

}  // namespace pipeline::cli
