// `pipeline evaluate WORKFLOW --step S`: runs a step over labelled examples at bounded
// concurrency, scores each with a metric, prints a summary (mean with a 95% CI) and writes a
// per-example report. Ctrl-C stops taking examples and keeps the partial report.
#include "commands.hpp"
#include "host_setup.hpp"
#include "interrupt_watcher.hpp"

#include <pipeline/dspy/chain_of_thought.hpp>
#include <pipeline/dspy/completion_judge.hpp>
#include <pipeline/dspy/evaluate.hpp>
#include <pipeline/dspy/predict.hpp>
#include <pipeline/dspy/program.hpp>
#include <pipeline/dspy/step_dspy.hpp>
#include <pipeline/dspy/value_parse.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/monitor/step_record_of.hpp>
#include <pipeline/util/atomic_file.hpp>
#include <pipeline/util/utf8.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace pipeline::cli {

namespace {

struct EvaluateOptionsCli {
  std::string file, config, step, data, program, predictor, mode, metric, report, cache_mode;
  int concurrency = 8;
  int limit = 0;
  bool json = false, quiet = false, skip_bad_rows = false;
};

int bad_input(const EvaluateOptionsCli& o, const std::string& message) {
  return report_bad_input(o.json, message);
}

std::string duration_text(double ms) {
  auto s = static_cast<long long>(ms / 1000);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", s / 60, s % 60);
  return buf;
}

// A progress bar on a terminal, a plain line per tenth otherwise.
std::function<void(const dspy::Progress&)> progress_printer(bool quiet) {
  if (quiet) return {};
  bool tty = ::isatty(2) == 1;
  auto last_tenth = std::make_shared<std::size_t>(0);
  return [tty, last_tenth](const dspy::Progress& p) {
    double rate = p.elapsed_ms > 0 ? 1000.0 * static_cast<double>(p.done) / p.elapsed_ms : 0;
    double score = p.done ? p.score_sum / static_cast<double>(p.done) : 0;
    double eta = rate > 0 ? 1000.0 * static_cast<double>(p.total - p.done) / rate : 0;
    char line[160];
    if (tty) {
      int width = 30;
      int filled = p.total ? static_cast<int>(width * p.done / p.total) : width;
      std::string bar(static_cast<std::size_t>(filled), '=');
      bar.resize(static_cast<std::size_t>(width), ' ');
      std::snprintf(line, sizeof line, "\r[%s] %zu/%zu  %.1f/s  score %.3f  ETA %s ", bar.c_str(),
                    p.done, p.total, rate, score, duration_text(eta).c_str());
      std::cerr << line << (p.done == p.total ? "\n" : "") << std::flush;
      return;
    }
    std::size_t tenth = p.total ? 10 * p.done / p.total : 10;
    if (tenth == *last_tenth && p.done != p.total) return;
    *last_tenth = tenth;
    std::snprintf(line, sizeof line, "evaluate: %zu/%zu examples, %.1f/s, score %.3f, ETA %s\n",
                  p.done, p.total, rate, score, duration_text(eta).c_str());
    std::cerr << line;
  };
}

// Every scored example into the monitor, so into the history: the router's quality estimates
// come from these until a reference-free metric or user feedback adds more. The variant is what
// was evaluated (the step as written: traditional; a program: dspy_optimized).
struct Evaluated {
  std::string workflow, step, signature_hash, mode, metric, program_id, provider;
};
void record_evaluation(Runtime& rt, const Evaluated& e, const dspy::EvaluationReport& rep) {
  PerformanceMonitor* monitor = rt.monitor();
  if (monitor == nullptr) return;
  const std::int64_t now = unix_now_ms();
  const std::string run_id = "evaluate-" + std::to_string(now);
  for (const auto& r : rep.results) {
    if (!r.done) continue;
    StepRecord rec;
    rec.workflow = e.workflow;
    rec.step = e.step;
    rec.run_id = run_id;
    rec.episode = run_id;
    rec.mode = e.mode;
    rec.variant = e.mode;
    rec.signature_hash = e.signature_hash;
    rec.provider = e.provider;
    rec.latency_ms = r.latency_ms;
    rec.input_tokens = r.run.totals.input_tokens;
    rec.output_tokens = r.run.totals.output_tokens;
    rec.cost_usd = r.run.totals.cost_usd;
    rec.quality = r.score;
    rec.metric = e.metric;
    rec.success = r.run.error.empty();
    if (!rec.success) rec.error_class = "step_error";
    rec.fallback_hops = r.run.totals.fallback_hops;
    rec.cache_hit = r.run.totals.cache_hits > 0 && r.run.totals.calls == 0;
    rec.program_id = e.program_id;
    rec.source = "evaluate";
    rec.unix_ms = now;
    monitor->record(std::move(rec));
  }
}

int evaluate(const EvaluateOptionsCli& o) {
  setup_logging(true);
  CancellationToken cancel;
  InterruptWatcher interrupts(cancel);
  if (o.concurrency < 1 || o.concurrency > 256)
    return bad_input(o, "--concurrency must be between 1 and 256");
  if (!o.mode.empty() && o.mode != "traditional" && o.mode != "dspy_optimized")
    return bad_input(o, "--mode must be traditional or dspy_optimized");
  std::string mode = !o.mode.empty()     ? o.mode
                     : o.program.empty() ? "traditional"
                                         : "dspy_optimized";
  if (mode == "traditional" && !o.program.empty())
    return bad_input(
        o, "--program runs the step as a DSPy program: use it with --mode dspy_optimized");

  Diagnostics diags;
  LoadedWorkflow loaded = load_and_validate(o.file, o.config, diags);
  if (!o.cache_mode.empty() && loaded.runtime) loaded.runtime->set_cache_mode(o.cache_mode);
  if (!diags.has_errors()) loaded.runtime->start(diags);
  if (diags.has_errors() || !loaded.workflow) {
    print_diagnostics(diags);
    return bad_input(o, o.file + ": the workflow or host config has errors");
  }
  const Workflow& wf = *loaded.workflow;
  const StepConfig* step = nullptr;
  for (const auto& s : wf.steps)
    if (s.name == o.step) step = &s;
  if (!step) return bad_input(o, "no step '" + o.step + "' in " + o.file);
  auto d = dspy::step_dspy_from_config(*step, diags);
  if (!d) {
    print_diagnostics(diags);
    return bad_input(o, "step '" + o.step + "' needs a valid `signature:` to be evaluated");
  }

  // The data: --data, else the step's inline `examples:`.
  auto ds = dspy::step_dataset(*step, d->signature, o.data);
  if (!ds) return bad_input(o, ds.status().message());
  dspy::Dataset data = std::move(*ds);
  for (const auto& bad : data.bad)
    std::cerr << (o.skip_bad_rows ? "skipped: " : "error: ") << bad.to_string() << "\n";
  if (!data.bad.empty() && !o.skip_bad_rows)
    return bad_input(o, std::to_string(data.bad.size()) +
                            " bad row(s) in the data (--skip-bad-rows to run without them)");
  if (o.limit > 0 && data.rows.size() > static_cast<std::size_t>(o.limit))
    data.rows.resize(static_cast<std::size_t>(o.limit));
  if (data.rows.empty()) return bad_input(o, "no examples to evaluate");

  Completion& lm = loaded.runtime->completion();
  std::string provider = loaded.runtime->config().provider_for(step->type);

  // The metric: --metric, else the step's `metric:`, else exact_match on the first output.
  json::value spec = dspy::step_metric_spec(*step);
  if (!o.metric.empty()) {
    auto s = dspy::parse_metric_spec(o.metric);
    if (!s) return bad_input(o, s.status().message());
    spec = *s;
  }
  auto judge_log = std::make_shared<CallLog>();
  dspy::JudgeCall judge = dspy::completion_judge(lm, provider, cancel,
                                                 CallFrame{.run_id = "evaluate",
                                                           .step = o.step + ":llm_judge",
                                                           .mode = "evaluation",
                                                           .log = judge_log.get()});
  auto metric = dspy::make_metric(spec, d->signature, judge);
  if (!metric) return bad_input(o, metric.status().message());

  dspy::RunExample run_one;
  std::string program_id;  // what a dspy_optimized evaluation ran
  std::filesystem::path scratch;
  std::shared_ptr<dspy::Predict> predict;
  if (mode == "dspy_optimized") {
    dspy::Signature sig = d->chain_of_thought ? dspy::with_reasoning(d->signature) : d->signature;
    std::vector<dspy::Example> demos;
    std::string id = o.step + "@" + d->signature.hash().substr(0, 12);
    if (!o.program.empty()) {
      auto prog = dspy::Program::load_file(o.program);
      if (!prog) return bad_input(o, prog.status().message());
      auto p = dspy::choose_predictor(*prog, o.predictor);
      if (!p) return bad_input(o, o.program + ": " + p.status().message());
      auto bound = dspy::bind_predictor(**p, d->signature, d->chain_of_thought);
      if (!bound) return bad_input(o, o.program + ": " + bound.status().message());
      sig = std::move(bound->signature);
      demos = std::move(bound->demos);
      id = o.program + ":" + bound->predictor + "@" + sig.hash().substr(0, 12);
    }
    program_id = id;
    dspy::PredictOptions popts = dspy::step_predict_options(*step, *d);
    predict =
        std::make_shared<dspy::Predict>(std::move(sig), std::move(demos), std::move(popts), id);
    run_one = [predict, &lm, provider, &o, step](const dspy::DatasetRow& row,
                                                 const CallContext& ctx) {
      dspy::ExampleRun out;
      auto resolver = [&row](std::string_view path) -> std::optional<json::value> {
        if (path.rfind("inputs.", 0) != 0) return std::nullopt;
        if (const auto* v = row.inputs.if_contains(path.substr(7))) return *v;
        return std::nullopt;
      };
      auto inputs = dspy::resolve_inputs(predict->signature(), row.inputs, resolver);
      if (!inputs) {
        out.error = inputs.status().message();
        return out;
      }
      CallLog log;
      CallFrame frame{.run_id = "evaluate",
                      .step = o.step,
                      .mode = "dspy_optimized",
                      .step_type = step->type,
                      .log = &log};
      auto r = predict->run(*inputs, lm, CompletionCall{ctx, frame}, provider);
      out.totals = log.totals();
      out.predicted = r.outputs;
      if (!r.ok()) out.error = r.error_message();
      return out;
    };
  } else {
    // Traditional: the step's prompt as written, through its plugin; inputs.<field> holds the
    // example's values and the reply text is the first output field.
    scratch = std::filesystem::temp_directory_path() /
              ("pipeline-evaluate-" + std::to_string(::getpid()));
    auto single = std::make_shared<Workflow>(wf);
    single->steps = {*step};
    single->checkpoint_enabled = false;
    const dspy::Field first = d->signature.outputs.front();
    Runtime& rt = *loaded.runtime;
    run_one = [single, first, &rt, scratch, &o](const dspy::DatasetRow& row, const CallContext&) {
      dspy::ExampleRun out;
      ExecutorOptions exec;
      exec.inputs = row.inputs;
      exec.output_dir = scratch;
      exec.record_steps = false;  // recorded below, once scored
      Executor executor(rt, std::move(exec));
      RunResult rr = executor.run(*single);
      out.totals = rr.totals;
      if (!rr.success) {
        out.error = rr.error.empty() ? "the step failed" : rr.error;
        return out;
      }
      const auto* res = rr.results.if_contains(o.step);
      std::string text = res && res->is_object() ? get_string(res->get_object(), "text") : "";
      auto v = dspy::parse_field_value(json::value(json::string(text)), first.type);
      if (!v) {
        out.error = "the reply does not parse as " + first.type.annotation_name() + " for '" +
                    first.name + "': " + v.status().message();
        return out;
      }
      out.predicted[first.name] = *v;
      return out;
    };
  }

  dspy::Evaluator evaluator(run_one, **metric);
  dspy::EvaluateOptions eopts;
  eopts.concurrency = o.concurrency;
  eopts.cancel = cancel;
  eopts.on_progress = progress_printer(o.quiet || o.json);
  dspy::EvaluationReport rep = evaluator.run(data.rows, eopts);
  rep.totals.add(judge_log->totals());
  if (!scratch.empty()) std::filesystem::remove_all(scratch);
  record_evaluation(
      *loaded.runtime,
      {wf.name, o.step, d->signature.hash(), mode, (*metric)->name(), program_id, provider}, rep);
  finish_monitor(*loaded.runtime);

  json::object doc = rep.to_json();
  if (!o.report.empty()) {
    std::string ext = std::filesystem::path(o.report).extension().string();
    std::string content = ext == ".csv" ? rep.to_csv() : valid_utf8(json::serialize(doc)) + "\n";
    if (auto st = write_file_atomically(o.report, content); !st.ok()) {
      std::cerr << "error: --report " << o.report << ": " << st.message() << "\n";
      return kExitStepFailed;
    }
  }
  if (o.json) {
    std::cout << valid_utf8(loaded.runtime->plugins().redactor().redact(json::serialize(doc)))
              << std::endl;
  } else {
    std::cout << "Evaluation of step '" << o.step << "' (" << mode << ", metric "
              << (*metric)->name() << ")\n"
              << rep.summary_table();
    if (!o.report.empty()) std::cout << "report      " << o.report << "\n";
  }
  if (rep.cancelled) {
    std::cerr << "cancelled: " << rep.results.size() << " of " << rep.planned << " examples ran\n";
    return kExitStepFailed;
  }
  return kExitOk;
}

}  // namespace

void add_evaluate_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<EvaluateOptionsCli>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Score a step over labelled examples");
  cmd->add_option("file", opts->file, "The workflow YAML file")->required();
  cmd->add_option("--step", opts->step, "The step to evaluate (it needs a `signature:`)")
      ->required();
  cmd->add_option("-c,--config", opts->config, "Host config YAML");
  cmd->add_option("--data", opts->data,
                  "Examples: .jsonl, .json (an array) or .csv (default: the step's examples:)");
  cmd->add_option("--program", opts->program,
                  "A program JSON (DSPy's save() format); implies dspy_optimized");
  cmd->add_option("--predictor", opts->predictor, "Which predictor of the program");
  cmd->add_option("--mode", opts->mode,
                  "traditional (the step's prompt) or dspy_optimized (its signature)");
  cmd->add_option("--metric", opts->metric,
                  "type[:field[:tolerance]] or JSON (default: the step's metric:)");
  cmd->add_option("--concurrency", opts->concurrency, "Examples in flight at once (1 to 256)")
      ->default_val(8);
  cmd->add_option("--limit", opts->limit, "Evaluate only the first N examples");
  cmd->add_option("--report", opts->report, "Write every example's result: FILE.json or FILE.csv");
  cmd->add_option("--cache", opts->cache_mode, "Response cache mode for this run");
  cmd->add_flag("--json", opts->json, "Print one JSON document on stdout");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress on stderr");
  cmd->add_flag("--skip-bad-rows", opts->skip_bad_rows,
                "Run without the rows that do not fit the signature");
  cmd->callback([opts, &exit_code] { exit_code = evaluate(*opts); });
}

}  // namespace pipeline::cli
