// `pipeline compare WORKFLOW [--step S] [--since DURATION] [--json] [--records FILE]`: per step,
// the two variants side by side from the recorded history (the runtime's, or exported records), the
// difference and the recommendation (docs/hybrid.md, "pipeline compare"). The report itself is
// compare_report in the framework, pure over a History; this file only chooses the History and
// prints.
#include "commands.hpp"
#include "host_setup.hpp"
#include "records_file.hpp"

#include <pipeline/monitor/compare_report.hpp>
#include <pipeline/monitor/memory_history.hpp>
#include <pipeline/util/duration.hpp>
#include <pipeline/util/utf8.hpp>

#include <chrono>
#include <iostream>
#include <optional>

namespace pipeline::cli {

namespace {

struct CompareOptionsCli {
  std::string file, config, step, since, records;
  bool json = false;
};

int run_compare(const CompareOptionsCli& o) {
  CompareOptions options{.step = o.step};
  if (!o.since.empty()) {
    auto d = parse_duration(o.since);
    if (!d)
      return report_bad_input(o.json, "--since '" + o.since +
                                          "': expected a whole number and a unit (ms, s, m, h, "
                                          "d, w), e.g. 7d");
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    options.since_unix_ms = now - d->count();
  }
  Diagnostics diags;
  std::optional<Workflow> wf;
  LoadedWorkflow loaded;  // the runtime whose history is read (unless --records)
  std::optional<MemoryHistory> records_history;
  const History* history = nullptr;
  if (!o.records.empty()) {
    // Exported records: only the workflow is needed, no plugins.
    wf = load_workflow(o.file, diags);
    if (!wf || diags.has_errors()) {
      print_diagnostics(diags);
      return report_bad_input(o.json, o.file + ": the workflow cannot be read");
    }
    auto records = read_records_file(o.records);
    if (!records) return report_bad_input(o.json, records.status().message());
    // Filtered in memory as a sink's query side filters them.
    records_history.emplace(records->size() + 1);
    for (StepRecord& r : *records) records_history->add(std::move(r));
    history = &*records_history;
  } else {
    // The configured history: the sink `metrics.history` names, by default the built-in sqlite
    // file under $XDG_DATA_HOME/pipeline/ (docs/config.md, "metrics").
    loaded = load_and_validate(o.file, o.config, diags);
    if (!diags.has_errors() && loaded.runtime) loaded.runtime->start(diags);
    if (diags.has_errors() || !loaded.workflow) {
      print_diagnostics(diags);
      return report_bad_input(o.json, o.file + ": the workflow or host config is not valid");
    }
    wf = std::move(loaded.workflow);
    history = loaded.runtime->history();
    if (history == nullptr) {
      finish_monitor(*loaded.runtime);
      return report_bad_input(o.json, "the host config has no history to read (metrics.history)");
    }
  }
  auto report = compare_report(*wf, *history, options);
  if (loaded.runtime) finish_monitor(*loaded.runtime);
  if (!report) {
    if (report.status().code() == StatusCode::kInvalidArgument)
      return report_bad_input(o.json, report.status().message());
    std::cerr << "error: reading the history: " << report.status().message() << "\n";
    return kExitStepFailed;
  }
  if (o.json)
    std::cout << valid_utf8(json::serialize(*report)) << std::endl;
  else
    std::cout << format_compare_report(*report);
  return kExitOk;
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<CompareOptionsCli>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Compare a workflow's steps as written and optimized, from the recorded history");
  cmd->add_option("file", opts->file, "The workflow YAML file")->required();
  cmd->add_option("--step", opts->step, "Only this step");
  cmd->add_option("--since", opts->since, "Only records newer than this (90s, 15m, 24h, 7d, 2w)");
  cmd->add_option("--records", opts->records,
                  "Read the history from exported StepRecords (JSON lines or a JSON array)");
  cmd->add_option("-c,--config", opts->config, "Host config YAML");
  cmd->add_flag("--json", opts->json, "Print the report as one JSON document on stdout");
  cmd->callback([opts, &exit_code] {
    setup_logging(true);
    exit_code = run_compare(*opts);
  });
}

}  // namespace pipeline::cli
