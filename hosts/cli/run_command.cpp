// `pipeline run FILE`: validate everything, then execute; --json prints one result document.
#include "commands.hpp"
#include "host_setup.hpp"
#include "interrupt_watcher.hpp"

#include <pipeline/config/yaml_json.hpp>
#include <pipeline/dspy/program_steps.hpp>
#include <pipeline/dspy/step_dspy.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/optimize/step_programs.hpp>
#include <pipeline/util/utf8.hpp>

#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <thread>

namespace pipeline::cli {

namespace {

struct RunOptions {
  std::string file;
  std::string config;
  std::string mode = "traditional";
  std::vector<std::string> sets;
  std::string output_dir;
  bool json = false;
  bool quiet = false;
  bool resume = false;
  bool strict = false;
  std::string cache_mode;
  std::vector<std::string> programs;  // STEP=FILE[:PREDICTOR]
};

// "key=value" with the value read as a YAML scalar, so numbers and booleans keep their type.
bool apply_set(const std::string& kv, ExecutorOptions& opts, Diagnostics& diags) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) {
    diags.error({"--set", 0, 0}, "expected key=value, found '" + kv + "'");
    return false;
  }
  std::string key = kv.substr(0, eq);
  Diagnostics scratch;
  auto node = load_yaml_string(kv.substr(eq + 1), "--set", scratch);
  json::value value =
      node && node->IsScalar() ? yaml_to_json(*node) : json::value(kv.substr(eq + 1));
  constexpr std::string_view kGlobal = "global_vars.";
  constexpr std::string_view kInputs = "inputs.";
  if (key.rfind(kGlobal, 0) == 0) {
    opts.global_var_overrides[key.substr(kGlobal.size())] = value;
  } else if (key.rfind(kInputs, 0) == 0) {
    opts.inputs[key.substr(kInputs.size())] = value;
  } else {
    opts.inputs[key] = value;
  }
  return true;
}

const char* state_name(LazyOptimizer::State s) {
  switch (s) {
    case LazyOptimizer::State::kReady:
      return "ready";
    case LazyOptimizer::State::kStale:
      return "stale";
    case LazyOptimizer::State::kOptimizing:
      return "optimizing";
    case LazyOptimizer::State::kFailed:
      break;
  }
  return "unavailable";
}

// A background optimization bounds itself (dspy_config.max_optimization_seconds / _calls): the
// run waits for it so the next run finds its program. Ctrl-C stops it; an unfinished one stores
// nothing.
void wait_for_optimizations(StepPrograms& programs, const CancellationToken& cancel, bool quiet) {
  if (!programs.optimizing()) return;
  if (!quiet)
    std::cerr << "waiting for the background optimization(s) to store their programs (Ctrl-C "
                 "stops them)\n";
  std::atomic<bool> done{false};
  std::thread relay([&] {
    while (!done.load()) {
      if (cancel.cancelled()) {
        programs.cancel();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  programs.finish();
  done.store(true);
  relay.join();
}

// What each background optimization came to, on its note and on stderr.
void report_optimizations(StepPrograms& programs, const Workflow& wf, json::array& notes,
                          bool quiet) {
  for (auto& n : notes) {
    auto& note = n.as_object();
    const std::string state(note.at("state").as_string());
    if (state != "optimizing" && state != "stale") continue;
    const std::string name(note.at("step").as_string());
    for (const auto& step : wf.steps) {
      if (step.name != name) continue;
      auto after = programs.ensure(step);
      bool stored = after.state == LazyOptimizer::State::kReady;
      note["outcome"] = stored ? std::string("stored") : after.reason;
      if (!quiet)
        std::cerr << "step '" << name << "': "
                  << (stored ? "optimized program stored; the next run uses it" : after.reason)
                  << "\n";
    }
  }
}

int run(const RunOptions& o) {
  setup_logging(o.quiet || o.json);
  ExecutorOptions exec;
  InterruptWatcher interrupts(exec.cancel);
  Diagnostics diags;
  if (o.mode != "traditional" && o.mode != "dspy_optimized") {
    diags.error({"--mode", 0, 0},
                "mode '" + o.mode +
                    "' is not available in this build (available: traditional, dspy_optimized)");
  }
  if (o.mode != "dspy_optimized" && !o.programs.empty())
    diags.error({"--program", 0, 0},
                "--program runs a step as a DSPy program: use it with --mode dspy_optimized");
  for (const auto& s : o.sets) apply_set(s, exec, diags);
  if (!o.output_dir.empty()) exec.output_dir = o.output_dir;
  exec.resume = o.resume;

  LoadedWorkflow loaded = load_and_validate(o.file, o.config, diags);
  if (o.strict) diags.promote_warnings();
  if (!o.cache_mode.empty()) loaded.runtime->set_cache_mode(o.cache_mode);
  if (!diags.has_errors()) loaded.runtime->start(diags);
  std::shared_ptr<dspy::ProgramSteps> program_steps;
  std::unique_ptr<StepPrograms> step_programs;  // lazy optimization (dspy_optimized)
  json::array optimizations;                    // steps not on a fresh program, for --json
  if (!diags.has_errors() && loaded.workflow && o.mode == "dspy_optimized") {
    // Programs call the top of the run's completion stack, like every step.
    program_steps = std::make_shared<dspy::ProgramSteps>(loaded.runtime->completion());
    for (const auto& spec : o.programs) {
      if (auto st = program_steps->add(*loaded.workflow, spec); !st.ok())
        diags.error({"--program", 0, 0}, st.message());
    }
    // Every other step with a signature runs the newest program the optimization cache has for
    // that signature (`pipeline optimize` stores it). A step without one runs as written while a
    // background optimization makes one, when dspy_config allows (docs/optimization.md, "Lazy
    // optimization"); a stale one keeps serving while it is re-optimized.
    Runtime& rt = *loaded.runtime;
    step_programs = std::make_unique<StepPrograms>(
        StepPrograms::Services{rt.config(), rt.plugins(), rt.completion(), rt.cache(),
                               rt.program_service()},
        *loaded.workflow);
    std::size_t from_cache = 0, started = 0;
    std::string why_none;
    for (const auto& step : loaded.workflow->steps) {
      if (program_steps->handles(step) || !step.raw.contains("signature")) continue;
      auto choice = step_programs->ensure(step);
      json::object note{
          {"step", step.name}, {"state", state_name(choice.state)}, {"reason", choice.reason}};
      if (!choice.optimizer.empty()) note["optimizer"] = choice.optimizer;
      if (choice.state == LazyOptimizer::State::kOptimizing) ++started;
      if (choice.state != LazyOptimizer::State::kReady) optimizations.push_back(note);
      if (!choice.program) {
        if (why_none.empty()) why_none = "step '" + step.name + "': " + choice.reason;
        if (choice.state == LazyOptimizer::State::kOptimizing && !o.json && !o.quiet)
          std::cerr << "step '" << step.name << "' runs as written: " << choice.reason << " ("
                    << choice.optimizer << ")\n";
        continue;
      }
      auto prog = dspy::Program::from_json(choice.program->program, "the optimization cache");
      if (!prog) continue;  // a corrupt entry is a miss
      if (auto st = program_steps->add_program(*loaded.workflow, step.name, *prog, "",
                                               "cache:" + choice.program->optimizer, "cache");
          st.ok()) {
        ++from_cache;
        if (choice.state == LazyOptimizer::State::kStale && !o.json && !o.quiet)
          std::cerr << "step '" << step.name << "': " << choice.reason << "\n";
      } else {
        diags.warning({"--mode", 0, 0}, "step '" + step.name + "': the cached program (" +
                                            choice.program->key +
                                            ") does not fit: " + st.message());
      }
    }
    if (o.programs.empty() && from_cache == 0 && started == 0)
      diags.error({"--mode", 0, 0},
                  "dspy_optimized needs a program for a step: --program STEP=FILE[:PREDICTOR], "
                  "or run `pipeline optimize` first (no step's signature has a program in the "
                  "optimization cache" +
                      (why_none.empty() ? std::string(")") : "; " + why_none + ")"));
    exec.choose_strategy = [program_steps](const StepConfig& step) -> StepStrategy* {
      return program_steps->handles(step) ? program_steps.get() : nullptr;
    };
  }
  if (diags.has_errors() || !loaded.workflow) {
    print_diagnostics(diags);
    if (o.json) {
      json::object doc{{"success", false},
                       {"exit_code", kExitBadInput},
                       {"status", "invalid"},
                       {"diagnostics", diagnostics_json(diags)}};
      std::cout << valid_utf8(json::serialize(doc)) << std::endl;
    }
    return kExitBadInput;
  }
  print_diagnostics(diags);  // warnings only
  if (exec.cancel.cancelled()) {
    // Ctrl-C or SIGTERM while the workflow and its files were read and validated.
    std::cerr << "cancelled before the first step\n";
    if (o.json) {
      json::object doc{{"success", false},
                       {"exit_code", kExitStepFailed},
                       {"status", "cancelled"},
                       {"error", "cancelled before the first step"}};
      std::cout << json::serialize(doc) << std::endl;
    }
    return kExitStepFailed;
  }

  exec.on_step_done = [&](const StepOutcome& s) {
    if (o.json || o.quiet) return;
    const char* mark = s.state == StepOutcome::State::kCompleted   ? "ok"
                       : s.state == StepOutcome::State::kSkipped   ? "skipped"
                       : s.state == StepOutcome::State::kCancelled ? "cancelled"
                                                                   : "FAILED";
    std::cerr << "  [" << mark << "] " << s.name << " (" << s.type << ", "
              << static_cast<int64_t>(s.duration_ms) << " ms)"
              << (s.reason.empty() ? "" : ": " + s.reason) << "\n";
  };
  if (!o.json && !o.quiet) {
    std::cerr << "Running " << loaded.workflow->name << " (" << loaded.workflow->steps.size()
              << " steps)\n";
  }
  const CancellationToken cancel = exec.cancel;  // the watcher's, shared
  Executor executor(*loaded.runtime, std::move(exec));
  RunResult result = executor.run(*loaded.workflow);
  for (const auto& d : diags.items()) result.warnings.push_back(d.to_string());
  if (step_programs && step_programs->optimizing()) {
    wait_for_optimizations(*step_programs, cancel, o.json || o.quiet);
    report_optimizations(*step_programs, *loaded.workflow, optimizations, o.json || o.quiet);
  }
  finish_monitor(*loaded.runtime);  // bounded wait; reports drops on stderr, never fails the run

  if (o.json) {
    json::object out = result.to_json();
    if (!optimizations.empty()) out["optimizations"] = optimizations;
    std::string doc = json::serialize(out);
    std::cout << valid_utf8(loaded.runtime->plugins().redactor().redact(doc)) << std::endl;
  } else if (!o.quiet) {
    std::size_t done = 0, skipped = 0;
    for (const auto& s : result.steps) {
      if (s.state == StepOutcome::State::kCompleted) ++done;
      if (s.state == StepOutcome::State::kSkipped) ++skipped;
    }
    // A cancelled run is not a failure of any step: it says where it stopped instead.
    const char* headline = result.success ? "Completed" : result.cancelled ? "Cancelled" : "Failed";
    std::cerr << headline << ": " << done << " completed, " << skipped << " skipped, "
              << (result.cancelled ? "cancelled at '" + result.failed_step + "'"
                                   : std::to_string(result.success ? 0 : 1) + " failed")
              << " in " << static_cast<int64_t>(result.duration_ms) << " ms; "
              << result.totals.calls << " LLM call(s), " << result.totals.cache_hits << " cached, "
              << result.totals.input_tokens + result.totals.output_tokens << " tokens, $"
              << result.totals.cost_usd << "\n";
    if (!result.success) {
      std::cerr << (result.cancelled ? "cancelled: " : "error: ") << result.error << "\n";
    }
  }
  return result.exit_code();
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Validate and run a workflow");
  cmd->add_option("file", opts->file, "The workflow YAML file")->required();
  cmd->add_option("-c,--config", opts->config,
                  "Host config YAML (default: $PIPELINE_CONFIG, "
                  "~/.config/pipeline/host.yaml, built-in mock)");
  cmd->add_option("-m,--mode", opts->mode, "Execution mode: traditional or dspy_optimized")
      ->default_str("traditional");
  cmd->add_option(
      "--program", opts->programs,
      "Run a step as a DSPy program (with --mode dspy_optimized): STEP=FILE[:PREDICTOR]");
  cmd->add_option("-s,--set", opts->sets,
                  "key=value: sets inputs.key (or global_vars.key with that prefix)");
  cmd->add_option("-o,--output-dir", opts->output_dir,
                  "Where output_to_file writes (default: workflow defaults.output_dir)");
  cmd->add_flag("--json", opts->json, "Print one machine-readable result document on stdout");
  cmd->add_flag("-q,--quiet", opts->quiet, "Only warnings and errors on stderr");
  cmd->add_flag("--strict", opts->strict, "Treat validation warnings as errors (exit 2)");
  cmd->add_option("--cache", opts->cache_mode,
                  "Response cache for this run: on, off, read_only, write_only (default: config)")
      ->check(CLI::IsMember({"on", "off", "read_only", "write_only"}));
  cmd->add_flag("--resume", opts->resume,
                "Continue after the last completed step of the workflow's checkpoint "
                "(checkpoint_enabled)");
  cmd->callback([opts, &exit_code] { exit_code = run(*opts); });
}

}  // namespace pipeline::cli
