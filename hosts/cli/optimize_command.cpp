// `pipeline optimize WORKFLOW --step S`: runs an optimizer plugin over a step's labelled
// examples and writes the best program (instructions + demos) in DSPy's saved shape. The search
// goes through the host's pipeline.program service (OptimizationSession), so the response cache,
// the budget and Ctrl-C apply to every optimizer alike; the result is stored in the optimization
// cache, and the same optimization again answers from it with 0 LM calls.
// Exit codes: 0 done (also when the budget ended the search), 1 the optimizer failed or Ctrl-C
// stopped it (the best so far is still written with -o), 2 bad input.
#include "commands.hpp"
#include "host_setup.hpp"
#include "interrupt_watcher.hpp"

#include <pipeline/optimize/optimization_session.hpp>
#include <pipeline/optimize/step_optimization.hpp>
#include <pipeline/util/utf8.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

namespace pipeline::cli {

namespace {

struct OptimizeOptionsCli {
  std::string file, config, step, optimizer, data, valset, output, cache_mode, metric;
  std::vector<std::string> params;
  std::int64_t budget_calls = 0;
  double budget_seconds = 0, budget_cost = 0;
  int concurrency = 8;
  std::uint64_t seed = 0;
  bool json = false, quiet = false;
};

int bad_input(const OptimizeOptionsCli& o, const std::string& message) {
  return report_bad_input(o.json, message);
}

// "k=v": v is read as JSON when it is JSON (numbers, true/false, arrays...), else as a string.
Result<std::pair<std::string, json::value>> parse_param(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    return invalid_argument("--param '" + text + "': expected NAME=VALUE");
  std::string value = text.substr(eq + 1);
  auto v = parse_json(value);
  return std::make_pair(text.substr(0, eq), v ? *v : json::value(json::string(value)));
}

// The step: --step, else the only step with a `signature:`.
const StepConfig* choose_step(const Workflow& wf, const OptimizeOptionsCli& o, std::string& why) {
  if (!o.step.empty()) {
    for (const auto& s : wf.steps)
      if (s.name == o.step) return &s;
    why = "--step: no step '" + o.step + "' in " + o.file;
    return nullptr;
  }
  std::vector<const StepConfig*> with_sig;
  for (const auto& s : wf.steps)
    if (s.raw.contains("signature")) with_sig.push_back(&s);
  if (with_sig.size() == 1) return with_sig.front();
  std::string names;
  for (const auto* s : with_sig) names += (names.empty() ? "" : ", ") + s->name;
  why = "--step: name the step to optimize (" +
        (with_sig.empty() ? std::string("no step of ") + o.file + " has a `signature:`"
                          : "steps with a signature: " + names) +
        ")";
  return nullptr;
}

std::string score_text(const std::optional<double>& s) {
  if (!s) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", *s);
  return buf;
}

// One line on stderr: rewritten in place on a terminal, one line per event otherwise.
std::function<void(const OptimizationProgress&)> progress_printer(bool quiet) {
  if (quiet) return {};
  bool tty = ::isatty(2) == 1;
  return [tty](const OptimizationProgress& p) {
    char line[256];
    std::string cand = p.candidate > 0 ? std::to_string(p.candidate) : "-";
    if (p.of > 0) cand += " of " + std::to_string(p.of);
    std::snprintf(
        line, sizeof line, "optimize: %s candidate %s  best %s  LM calls %lld  $%.4f  %.1fs",
        p.stage.empty() ? "-" : p.stage.c_str(), cand.c_str(), score_text(p.best_score).c_str(),
        static_cast<long long>(p.lm_calls), p.cost_usd, p.elapsed_seconds);
    if (tty)
      std::cerr << "\r" << line << "\x1b[K" << std::flush;
    else
      std::cerr << line << "\n";
  };
}

void print_table(const OptimizationOutcome& out, const std::string& optimizer,
                 const std::string& step) {
  std::cout << "Optimization of step '" << step << "' with " << optimizer
            << (out.from_cache ? " (from the optimization cache)" : "") << "\n";
  if (!out.candidates.empty()) {
    std::cout << "    #  set    examples  score  label\n";
    for (const auto& c : out.candidates) {
      char line[96];
      std::snprintf(line, sizeof line, "%5zu  %-5s  %8zu  %5.3f%s  ", c.number, c.set.c_str(),
                    c.examples, c.score, c.complete ? " " : "*");
      std::cout << line << c.label << "\n";
    }
    bool cut = std::any_of(out.candidates.begin(), out.candidates.end(),
                           [](const ScoredCandidate& c) { return !c.complete; });
    if (cut) std::cout << "  (* the budget or a cancel cut the evaluation short)\n";
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "best        train %s  val %s\nLM calls    %lld (cache hits %lld)\ncost        "
                "$%.4f\nwall time   %.1fs\n",
                score_text(out.train_score).c_str(), score_text(out.val_score).c_str(),
                static_cast<long long>(out.lm_calls), static_cast<long long>(out.cache_hits),
                out.cost_usd, out.wall_ms / 1000);
  std::cout << line;
  if (!out.stopped.empty()) std::cout << "stopped     by the " << out.stopped << "\n";
}

int optimize(const OptimizeOptionsCli& o) {
  setup_logging(true);
  CancellationToken cancel;
  InterruptWatcher interrupts(cancel);
  if (o.concurrency < 1 || o.concurrency > 256)
    return bad_input(o, "--concurrency must be between 1 and 256");
  if (o.budget_calls < 0) return bad_input(o, "--budget-calls must be 0 (no limit) or more");
  if (o.budget_seconds < 0) return bad_input(o, "--budget-seconds must be 0 (no limit) or more");
  if (o.budget_cost < 0) return bad_input(o, "--budget-cost must be 0 (no limit) or more");
  json::object params;
  for (const auto& p : o.params) {
    auto kv = parse_param(p);
    if (!kv) return bad_input(o, kv.status().message());
    params[kv->first] = kv->second;
  }

  Diagnostics diags;
  PluginNeeds needs;
  if (!o.optimizer.empty())
    needs.components.insert({PL_KIND_OPTIMIZER, o.optimizer});
  else
    needs.everything = true;  // the default optimizer is chosen among the loaded ones
  LoadedWorkflow loaded = load_and_validate(o.file, o.config, diags, &needs);
  if (!o.cache_mode.empty() && loaded.runtime) loaded.runtime->set_cache_mode(o.cache_mode);
  if (!diags.has_errors()) loaded.runtime->start(diags);
  if (diags.has_errors() || !loaded.workflow) {
    print_diagnostics(diags);
    return bad_input(o, o.file + ": the workflow or host config has errors");
  }
  Runtime& rt = *loaded.runtime;
  const Workflow& wf = *loaded.workflow;
  std::string why;
  const StepConfig* step = choose_step(wf, o, why);
  if (!step) return bad_input(o, why);
  StepOptimizationRequest req;
  req.optimizer = o.optimizer;
  req.data_file = o.data;
  req.valset_file = o.valset;
  req.metric = o.metric;
  req.params = std::move(params);
  req.seed = o.seed;
  req.budget = {o.budget_calls, o.budget_seconds, o.budget_cost};
  req.concurrency = o.concurrency;
  auto spec = step_optimization_spec(wf, *step, rt.config(), rt.plugins(), req);
  // Its messages start with the request member they are about: the flag without its dashes. A
  // step's inline examples are not a flag.
  if (!spec) {
    const std::string& m = spec.status().message();
    bool flag = (m.rfind("data: ", 0) == 0 && !o.data.empty()) || m.rfind("valset: ", 0) == 0 ||
                m.rfind("metric: ", 0) == 0 || m.rfind("optimizer: ", 0) == 0 ||
                m.rfind("concurrency: ", 0) == 0;
    return bad_input(o, (flag ? "--" : "") + m);
  }
  const std::string optimizer = spec->optimizer;
  auto inst = rt.plugins().create_optimizer(optimizer, "{}");
  if (!inst) return bad_input(o, "--optimizer " + optimizer + ": " + inst.status().message());
  auto session = OptimizationSession::create(std::move(*spec), rt.completion(), rt.cache());
  if (!session) return bad_input(o, session.status().message());
  OptimizationSession& s = **session;
  auto printer = progress_printer(o.quiet || o.json);
  bool tty = ::isatty(2) == 1 && printer;
  s.on_progress(printer);
  // Ctrl-C reaches the session through the watcher's token.
  std::atomic<bool> done{false};
  std::thread relay([&] {
    while (!done.load()) {
      if (cancel.cancelled()) {
        s.cancel();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  struct Joiner {
    std::atomic<bool>& done;
    std::thread& t;
    ~Joiner() {
      done.store(true);
      t.join();
    }
  } joiner{done, relay};

  std::optional<OptimizationOutcome> outcome = s.cached();
  if (outcome) {
    if (!o.quiet)
      std::cerr << "optimize: answered from the optimization cache (" << s.cache_key()
                << "): 0 LM calls\n";
  } else {
    if (!o.quiet && !o.json)
      std::cerr << "optimize: " << optimizer << " on step '" << s.spec().step << "', "
                << s.spec().trainset.size() << " train / " << s.spec().valset.size()
                << " val examples\n";
    auto r = s.optimize(**inst, rt.program_service());
    if (tty) std::cerr << "\n";
    if (!r) {
      std::cerr << "error: " << r.status().message() << "\n";
      if (o.json)
        std::cout << valid_utf8(json::serialize(json::object{{"success", false},
                                                             {"exit_code", kExitStepFailed},
                                                             {"error", r.status().message()}}))
                  << std::endl;
      return r.status().code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitStepFailed;
    }
    outcome = std::move(*r);
  }
  if (!o.output.empty()) {
    if (auto st = outcome->program.save_file(o.output); !st.ok()) {
      std::cerr << "error: -o " << o.output << ": " << st.message() << "\n";
      return kExitStepFailed;
    }
  }
  if (o.json) {
    std::cout << valid_utf8(
                     rt.plugins().redactor().redact(json::serialize(outcome->to_json(optimizer))))
              << std::endl;
  } else {
    print_table(*outcome, optimizer, s.spec().step);
    if (!o.output.empty()) std::cout << "program     " << o.output << "\n";
  }
  if (outcome->stopped == "cancelled") {
    std::cerr << "cancelled: the best program so far was kept"
              << (o.output.empty() ? "" : " and written") << "\n";
    return kExitStepFailed;
  }
  if (outcome->stopped == "budget") std::cerr << "optimize: the budget ended the search\n";
  return kExitOk;
}

}  // namespace

void add_optimize_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<OptimizeOptionsCli>();
  CLI::App* cmd =
      app.add_subcommand("optimize", "Optimize a step's program with an optimizer plugin");
  cmd->add_option("file", opts->file, "The workflow YAML file")->required();
  cmd->add_option("--step", opts->step,
                  "The step to optimize (default: the only one with a signature)");
  cmd->add_option(
      "--optimizer", opts->optimizer,
      "The optimizer plugin (default: dspy_config.optimizer, else the only one loaded)");
  cmd->add_option("-c,--config", opts->config, "Host config YAML");
  cmd->add_option("--data", opts->data,
                  "Training examples: .jsonl, .json or .csv (default: the step's examples:)");
  cmd->add_option("--valset", opts->valset,
                  "Validation examples (default: a seeded 20% of --data, by --seed)");
  cmd->add_option("--param", opts->params, "An optimizer parameter NAME=VALUE (repeatable)");
  cmd->add_option("--budget-calls", opts->budget_calls, "At most N LM calls (0: no limit)");
  cmd->add_option("--budget-seconds", opts->budget_seconds, "At most S seconds (0: no limit)");
  cmd->add_option("--budget-cost", opts->budget_cost, "At most USD of LM cost (0: no limit)");
  cmd->add_option("--concurrency", opts->concurrency, "Examples in flight at once (1 to 256)")
      ->default_val(8);
  cmd->add_option("--seed", opts->seed, "The optimizer's seed (and the train/val split's)")
      ->default_val(0);
  cmd->add_option("--metric", opts->metric,
                  "type[:field[:tolerance]] or JSON (default: the step's metric:)");
  cmd->add_option("-o,--output", opts->output, "Write the program (DSPy's save() shape) here");
  cmd->add_option("--cache", opts->cache_mode,
                  "Cache mode for this run (on, off, read_only, write_only)");
  cmd->add_flag("--json", opts->json, "Print one JSON document on stdout");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress on stderr");
  cmd->callback([opts, &exit_code] { exit_code = optimize(*opts); });
}

}  // namespace pipeline::cli
