// `pipeline run FILE`: validate everything, then execute; --json prints one result document.
#include "commands.hpp"
#include "host_setup.hpp"
#include "interrupt_watcher.hpp"

#include <pipeline/config/yaml_json.hpp>
#include <pipeline/dspy/program_steps.hpp>
#include <pipeline/dspy/step_dspy.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/hybrid/execution_mode.hpp>
#include <pipeline/hybrid/hybrid_strategy.hpp>
#include <pipeline/hybrid/step_result_cache.hpp>
#include <pipeline/monitor/mode_comparison.hpp>
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
  std::string mode;  // empty: the workflow's (resolve_mode)
  std::string episode;
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

// " -> dspy_optimized (benefit 0.45 > 2 x 0.1); fallbacks: ..." for a routed step's progress line.
std::string route_line(const ExecutionRecord& r) {
  if (r.route.empty()) return {};
  std::string line = " -> " + r.variant;
  if (const auto* why = r.route.if_contains("reason"); why && why->is_string())
    line += " (" + std::string(why->get_string()) + ")";
  if (r.quality) line += "; quality " + fmt::format("{:.2f}", *r.quality);
  for (const auto& h : r.fallbacks)
    line += "; fell back from " + h.from + " to " + h.to + " (" + h.error_class + ")";
  return line;
}

// The evaluation mode's comparison, per step: both variants on this run's inputs (stderr for
// humans, `evaluation` in --json: the shape of `pipeline compare --json`'s steps).
json::array evaluation_report(const HybridStrategy& hybrid, const Workflow& wf, bool talk) {
  json::array rows;
  for (const auto& [step, runs] : hybrid.evaluation_records()) {
    Diagnostics quiet;
    const StepConfig* cfg = nullptr;
    for (const auto& s : wf.steps)
      if (s.name == step) cfg = &s;
    const HybridConfig hc = hybrid_config_for(wf, cfg, quiet);
    const ModeStats t = summarize(runs.first);
    const ModeStats d = summarize(runs.second);
    const ModeComparison c = compare_modes(t, d, hc.min_samples);
    rows.push_back(json::object{{"step", step},
                                {"traditional", t.to_json()},
                                {"dspy_optimized", d.to_json()},
                                {"difference", c.difference.to_json()},
                                {"recommendation", recommendation_name(c.recommendation)},
                                {"reason", c.reason}});
    if (!talk) continue;
    auto quality = [](const ModeStats& m) {
      return m.quality_n > 0 ? fmt::format("{:.2f}", m.quality_mean) : std::string("unscored");
    };
    std::cerr << fmt::format(
        "evaluation: {}: traditional {} quality, {:.0f} ms, ${:.6f}; dspy_optimized {} quality, "
        "{:.0f} ms, ${:.6f} ({} run(s) each): {}: {}\n",
        step, quality(t), t.latency_mean_ms, t.cost_per_call, quality(d), d.latency_mean_ms,
        d.cost_per_call, t.count, recommendation_name(c.recommendation), c.reason);
  }
  return rows;
}

// Binds every step with a signature to the program it runs on (--program, else the newest one
// the optimization cache holds), starting background optimizations for steps with none (docs/
// optimization.md, "Lazy optimization"). A step left without one gets the reason in `gaps`.
struct ProgramSetup {
  std::shared_ptr<dspy::ProgramSteps> steps;
  std::unique_ptr<StepPrograms> lazy;
  std::map<std::string, ProgramGap> gaps;
  json::array optimizations;  // steps not on a fresh program, for --json
};

ProgramSetup bind_programs(Runtime& rt, const Workflow& wf, ExecutionMode mode, const RunOptions& o,
                           Diagnostics& diags) {
  ProgramSetup ps;
  // Programs call the top of the run's completion stack, like every step.
  ps.steps = std::make_shared<dspy::ProgramSteps>(rt.completion());
  for (const auto& spec : o.programs) {
    if (auto st = ps.steps->add(wf, spec); !st.ok()) diags.error({"--program", 0, 0}, st.message());
  }
  ps.lazy = std::make_unique<StepPrograms>(
      StepPrograms::Services{rt.config(), rt.plugins(), rt.completion(), rt.cache(),
                             rt.program_service()},
      wf);
  const bool talk = !o.json && !o.quiet;
  for (const auto& step : wf.steps) {
    if (ps.steps->handles(step) || !step.raw.contains("signature")) continue;
    if (step_mode(mode, step) == ExecutionMode::kTraditional) continue;
    auto choice = ps.lazy->ensure(step);
    json::object note{
        {"step", step.name}, {"state", state_name(choice.state)}, {"reason", choice.reason}};
    if (!choice.optimizer.empty()) note["optimizer"] = choice.optimizer;
    if (choice.state != LazyOptimizer::State::kReady) ps.optimizations.push_back(note);
    if (!choice.program) {
      // An optimizer was chosen and did not deliver: its failure is remembered (LazyOptimizer).
      const bool failed =
          choice.state == LazyOptimizer::State::kFailed && !choice.optimizer.empty();
      ps.gaps[step.name] =
          ProgramGap{failed ? "optimization_failed" : "dspy_unavailable", choice.reason};
      if (choice.state == LazyOptimizer::State::kOptimizing && talk)
        std::cerr << "step '" << step.name << "' runs as written: " << choice.reason << " ("
                  << choice.optimizer << ")\n";
      continue;
    }
    auto prog = dspy::Program::from_json(choice.program->program, "the optimization cache");
    if (!prog) {  // a corrupt entry is a miss
      ps.gaps[step.name] = ProgramGap{"dspy_unavailable", "the cached program is corrupt"};
      continue;
    }
    if (auto st = ps.steps->add_program(wf, step.name, *prog, "",
                                        "cache:" + choice.program->optimizer, "cache");
        st.ok()) {
      if (choice.state == LazyOptimizer::State::kStale && talk)
        std::cerr << "step '" << step.name << "': " << choice.reason << "\n";
    } else {
      ps.gaps[step.name] = ProgramGap{"dspy_unavailable", "the cached program does not fit"};
      diags.warning({"--mode", 0, 0}, "step '" + step.name + "': the cached program (" +
                                          choice.program->key + ") does not fit: " + st.message());
    }
  }
  // The architecture's rule (DSPy unavailable falls back to the step as written) keeps such a run
  // going; when no step has a program at all, say what would give them one.
  std::size_t bound = 0, started = 0;
  std::string why_none;
  for (const auto& step : wf.steps) bound += ps.steps->handles(step) ? 1 : 0;
  for (const auto& n : ps.optimizations) {
    const auto& note = n.as_object();
    if (note.at("state").as_string() == "optimizing") ++started;
    if (why_none.empty())
      why_none = "step '" + std::string(note.at("step").as_string()) +
                 "': " + std::string(note.at("reason").as_string());
  }
  if (mode == ExecutionMode::kDspyOptimized && bound == 0 && started == 0 && !ps.gaps.empty())
    diags.warning({"--mode", 0, 0},
                  "dspy_optimized: no step has a program, so they run as written (DSPy "
                  "unavailable); give one with --program STEP=FILE[:PREDICTOR], or run `pipeline "
                  "optimize` first (" +
                      why_none + ")");
  return ps;
}

int run(const RunOptions& o) {
  setup_logging(o.quiet || o.json);
  ExecutorOptions exec;
  InterruptWatcher interrupts(exec.cancel);
  Diagnostics diags;
  for (const auto& s : o.sets) apply_set(s, exec, diags);
  if (!o.output_dir.empty()) exec.output_dir = o.output_dir;
  exec.resume = o.resume;
  exec.episode = o.episode;

  LoadedWorkflow loaded = load_and_validate(o.file, o.config, diags);
  if (o.strict) diags.promote_warnings();
  ModeChoice mode;
  if (loaded.workflow) mode = resolve_mode(o.mode, *loaded.workflow, diags);
  if (mode.mode == ExecutionMode::kTraditional && !o.programs.empty())
    diags.error({"--program", 0, 0},
                "--program runs a step as a DSPy program: use it with --mode dspy_optimized, "
                "hybrid or evaluation");
  if (!o.cache_mode.empty()) loaded.runtime->set_cache_mode(o.cache_mode);
  if (!diags.has_errors()) loaded.runtime->start(diags);
  ProgramSetup programs;
  std::unique_ptr<HybridStrategy> hybrid;
  if (!diags.has_errors() && loaded.workflow && mode.mode != ExecutionMode::kTraditional) {
    Runtime& rt = *loaded.runtime;
    programs = bind_programs(rt, *loaded.workflow, mode.mode, o, diags);
    hybrid = std::make_unique<HybridStrategy>(HybridStrategy::Parts{
        .runtime = rt,
        .run_mode = mode.mode,
        .programs = *programs.steps,
        .gaps = programs.gaps,
        .history = rt.history(),
        .chain = &rt.fallback_chain(),
        .cached_responses = std::make_shared<StepResultCache>(rt.cache()),
        .workflow = loaded.workflow->name,
        .episode = o.episode,
        .record_extra = rt.monitor()
                            ? std::function<void(StepRecord)>(
                                  [m = rt.monitor()](StepRecord r) { m->record(std::move(r)); })
                            : std::function<void(StepRecord)>()});
    exec.choose_strategy = [h = hybrid.get()](const StepConfig&) -> StepStrategy* { return h; };
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
              << (s.reason.empty() ? "" : ": " + s.reason) << route_line(s.record) << "\n";
  };
  if (!o.json && !o.quiet) {
    std::cerr << "Running " << loaded.workflow->name << " (" << loaded.workflow->steps.size()
              << " steps)\n";
  }
  const CancellationToken cancel = exec.cancel;  // the watcher's, shared
  Executor executor(*loaded.runtime, std::move(exec));
  RunResult result = executor.run(*loaded.workflow);
  for (const auto& d : diags.items()) result.warnings.push_back(d.to_string());
  if (programs.lazy && programs.lazy->optimizing()) {
    wait_for_optimizations(*programs.lazy, cancel, o.json || o.quiet);
    report_optimizations(*programs.lazy, *loaded.workflow, programs.optimizations,
                         o.json || o.quiet);
  }
  finish_monitor(*loaded.runtime);  // bounded wait; reports drops on stderr, never fails the run

  if (o.json) {
    json::object out = result.to_json();
    if (!programs.optimizations.empty()) out["optimizations"] = programs.optimizations;
    if (mode.mode != ExecutionMode::kTraditional)
      out["mode"] = json::object{{"mode", mode_name(mode.mode)}, {"source", mode.source}};
    if (mode.mode == ExecutionMode::kEvaluation)
      out["evaluation"] = evaluation_report(*hybrid, *loaded.workflow, false);
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
    if (mode.mode == ExecutionMode::kEvaluation) evaluation_report(*hybrid, *loaded.workflow, true);
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
  cmd->add_option("-m,--mode", opts->mode,
                  "Execution mode: traditional, dspy_optimized, hybrid or evaluation (default: "
                  "the workflow's hybrid_config / dspy_config, else traditional)");
  cmd->add_option("--episode", opts->episode,
                  "The A/B episode id: a split test gives one episode always the same variant "
                  "(default: a fresh id per run)");
  cmd->add_option("--program", opts->programs,
                  "Run a step as a DSPy program (modes dspy_optimized, hybrid, evaluation): "
                  "STEP=FILE[:PREDICTOR]");
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
