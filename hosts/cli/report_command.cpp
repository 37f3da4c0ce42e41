// `pipeline report [WORKFLOW] [--since DURATION] [-c host.yaml] [--records FILE] -o report.html`:
// the recorded history (every workflow's, or one's) as one self-contained HTML page
// (docs/observability.md, "pipeline report"). The page itself is html_report in the framework,
// pure over the records; this file only chooses the history, checks the arguments and writes the
// file atomically, so a failed report never leaves half a page behind.
#include "commands.hpp"
#include "host_setup.hpp"
#include "records_file.hpp"

#include <pipeline/engine/needed_plugins.hpp>
#include <pipeline/monitor/html_report.hpp>
#include <pipeline/monitor/memory_history.hpp>
#include <pipeline/util/atomic_file.hpp>
#include <pipeline/util/duration.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

namespace pipeline::cli {

namespace {

namespace fs = std::filesystem;

struct ReportOptionsCli {
  std::string workflow, config, since, records, output;
};

// The newest records looked at to list the workflows an unknown name could have meant.
constexpr std::int64_t kKnownWorkflowsScan = 100000;

// A workflow YAML file rather than a workflow's name: it exists as a file or is named like one.
bool names_a_file(const std::string& arg) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) return true;
  const std::string ext = fs::path(arg).extension().string();
  return ext == ".yaml" || ext == ".yml";
}

// The folder the report goes into must exist: a typo in -o should not create folders.
std::optional<std::string> output_problem(const std::string& output) {
  if (output.empty()) return "-o: the output file is required";
  const fs::path out(output);
  std::error_code ec;
  if (fs::is_directory(out, ec)) return "-o " + output + ": is a folder, not a file";
  const fs::path parent = out.parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec))
    return "-o " + output + ": the folder " + parent.string() + " does not exist";
  return std::nullopt;
}

std::string known_workflows(const History& history) {
  auto recent = history.query({.limit = kKnownWorkflowsScan});
  if (!recent) return "";
  std::set<std::string> names;
  for (const StepRecord& r : *recent) names.insert(r.workflow);
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

int run_report(const ReportOptionsCli& o) {
  if (auto problem = output_problem(o.output)) return report_bad_input(false, *problem);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  HtmlReportOptions options{.generated_unix_ms = now};
  if (!o.since.empty()) {
    auto d = parse_duration(o.since);
    if (!d)
      return report_bad_input(false, "--since '" + o.since +
                                         "': expected a whole number and a unit (ms, s, m, h, "
                                         "d, w), e.g. 7d");
    options.since_unix_ms = now - d->count();
    options.since_text = o.since;
  }
  const bool from_file = !o.workflow.empty() && names_a_file(o.workflow);
  Diagnostics diags;
  std::optional<Workflow> wf;
  LoadedWorkflow loaded;  // the runtime whose history is read (unless --records)
  std::unique_ptr<Runtime> runtime;
  std::optional<MemoryHistory> records_history;
  const History* history = nullptr;
  if (!o.records.empty()) {
    // Exported records: no plugins, only the workflow file when one is named.
    if (from_file) {
      wf = load_workflow(o.workflow, diags);
      if (!wf || diags.has_errors()) {
        print_diagnostics(diags);
        return report_bad_input(false, o.workflow + ": the workflow cannot be read");
      }
    }
    auto records = read_records_file(o.records);
    if (!records) return report_bad_input(false, records.status().message());
    records_history.emplace(records->size() + 1);
    for (StepRecord& r : *records) records_history->add(std::move(r));
    history = &*records_history;
  } else if (from_file) {
    // As `pipeline compare`: the workflow's own host overrides may name its history.
    loaded = load_and_validate(o.workflow, o.config, diags);
    if (!diags.has_errors() && loaded.runtime) loaded.runtime->start(diags);
    if (diags.has_errors() || !loaded.workflow) {
      print_diagnostics(diags);
      return report_bad_input(false, o.workflow + ": the workflow or host config is not valid");
    }
    wf = std::move(loaded.workflow);
    runtime = std::move(loaded.runtime);
  } else {
    // The host config's history (metrics.history, by default the built-in sqlite file under
    // $XDG_DATA_HOME/pipeline/); only the plugins the config itself names are opened.
    HostConfig cfg = resolve_host_config(o.config, diags);
    const Workflow none;
    const PluginNeeds needs = needed_plugins(cfg, &none);
    if (!diags.has_errors()) runtime = Runtime::create(std::move(cfg), diags, &needs);
    if (!diags.has_errors() && runtime) runtime->start(diags);
    if (diags.has_errors() || !runtime) {
      print_diagnostics(diags);
      return report_bad_input(false, "the host config is not valid");
    }
  }
  if (runtime) {
    history = runtime->history();
    if (history == nullptr) {
      finish_monitor(*runtime);
      return report_bad_input(false, "the host config has no history to read (metrics.history)");
    }
  }
  if (wf) {
    options.workflow = wf->name;
    options.workflow_config = &*wf;
  } else {
    options.workflow = o.workflow;
  }
  // Empty workflow: every workflow's records.
  auto records =
      history->query({.workflow = options.workflow, .since_unix_ms = options.since_unix_ms});
  int exit_code = kExitOk;
  std::string unknown;
  if (records && records->empty() && !options.workflow.empty() && !wf) {
    // A name the history has never seen is a typo, not an empty period.
    auto ever = history->query({.workflow = options.workflow, .limit = 1});
    if (ever && ever->empty()) {
      const std::string known = known_workflows(*history);
      unknown = "workflow '" + options.workflow + "' has no records in the history" +
                (known.empty() ? std::string(" (the history is empty)")
                               : " (recorded workflows: " + known + ")");
    }
  }
  if (runtime) finish_monitor(*runtime);
  if (!records) {
    std::cerr << "error: reading the history: " << records.status().message() << "\n";
    return kExitStepFailed;
  }
  if (!unknown.empty()) return report_bad_input(false, unknown);
  const std::string page = html_report(*records, options);
  if (Status st = write_file_atomically(o.output, page); !st.ok()) {
    std::cerr << "error: writing " << o.output << ": " << st.message() << "\n";
    exit_code = kExitStepFailed;
  } else {
    std::set<std::string> workflows;
    for (const StepRecord& r : *records) workflows.insert(r.workflow);
    std::cout << "wrote " << o.output << ": " << records->size() << " records of "
              << workflows.size() << " workflow(s)\n";
  }
  return exit_code;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ReportOptionsCli>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write the recorded history as one self-contained HTML page (charts, A/B tests, "
      "recommendations)");
  cmd->add_option("workflow", opts->workflow,
                  "Only this workflow: its name, or its YAML file (then its hybrid_config "
                  "applies); default: every workflow");
  cmd->add_option("-o,--output", opts->output, "The HTML file to write")->required();
  cmd->add_option("--since", opts->since, "Only records newer than this (90s, 15m, 24h, 7d, 2w)");
  cmd->add_option("--records", opts->records,
                  "Read the history from exported StepRecords (JSON lines or a JSON array)");
  cmd->add_option("-c,--config", opts->config, "Host config YAML");
  cmd->callback([opts, &exit_code] {
    setup_logging(true);
    exit_code = run_report(*opts);
  });
}

}  // namespace pipeline::cli
