// `pipeline migrate WORKFLOW [-o FILE] [--force] [--dry-run] [--json] [--enable-optimization]
// [--optimizer NAME]`: the workflow with its optimizable LLM steps given signatures and the
// dspy_config / hybrid_config sections added, as a new file beside it (docs/migration.md). The
// text work is framework/src/migrate; this file reads, validates, diffs and writes.
#include "commands.hpp"
#include "host_setup.hpp"

#include <pipeline/migrate/unified_diff.hpp>
#include <pipeline/migrate/workflow_migration.hpp>
#include <pipeline/util/atomic_file.hpp>
#include <pipeline/util/utf8.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

namespace pipeline::cli {

namespace {

namespace fs = std::filesystem;

struct MigrateOptionsCli {
  std::string file, output, config, optimizer = "bootstrap_few_shot";
  bool force = false, dry_run = false, json = false, enable_optimization = false;
};

fs::path default_output(const fs::path& input) {
  return input.parent_path() / (input.stem().string() + ".hybrid.yaml");
}

// The diagnostics of the validated temporary file, naming the output the user will see instead.
Diagnostics renamed(const Diagnostics& diags, const std::string& from, const std::string& to) {
  Diagnostics out;
  for (Diagnostic d : diags.items()) {
    if (d.where.file == from) d.where.file = to;
    out.add(std::move(d));
  }
  return out;
}

json::array steps_json(const migrate::MigrationResult& r) {
  json::array out;
  for (const auto& s : r.steps) {
    json::array notes;
    for (const auto& n : s.notes) notes.emplace_back(n);
    out.push_back(json::object{{"name", s.decision.name},
                               {"type", s.decision.type},
                               {"line", s.decision.line},
                               {"column", s.decision.column},
                               {"migrated", s.decision.candidate},
                               {"reason", s.decision.reason},
                               {"notes", std::move(notes)}});
  }
  return out;
}

void print_report(const MigrateOptionsCli& o, const std::string& output,
                  const migrate::MigrationResult& r) {
  std::cout << o.file << " -> " << output << ": " << r.migrated_count() << " of " << r.steps.size()
            << " step(s) given a signature" << (o.dry_run ? " (dry run, nothing written)" : "")
            << "\n";
  for (const auto& s : r.steps) {
    std::cout << "  " << (s.decision.candidate ? "migrated " : "skipped  ") << s.decision.name
              << " (" << s.decision.type << ", line " << s.decision.line
              << "): " << s.decision.reason << "\n";
    for (const auto& n : s.notes) std::cout << "    note: " << n << "\n";
  }
  for (const auto& n : r.notes) std::cout << "  note: " << n << "\n";
}

int run_migrate(const MigrateOptionsCli& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return report_bad_input(o.json, o.file + ": cannot be opened");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string original = buf.str();

  const fs::path output = o.output.empty() ? default_output(o.file) : fs::path(o.output);
  std::error_code ec;
  if (fs::exists(output, ec) && fs::equivalent(output, o.file, ec))
    return report_bad_input(o.json, output.string() +
                                        ": is the workflow itself; the original is "
                                        "never overwritten (choose another -o)");
  if (!o.dry_run && !o.force && fs::exists(output, ec))
    return report_bad_input(o.json, output.string() + ": exists; pass --force to overwrite it");

  // A workflow that is already broken is reported as written (its own lines), not as the output.
  {
    Diagnostics as_written;
    LoadedWorkflow loaded = load_and_validate(o.file, o.config, as_written);
    if (as_written.has_errors() || !loaded.workflow) {
      if (o.json) {
        json::object doc{{"success", false},
                         {"exit_code", kExitBadInput},
                         {"file", o.file},
                         {"written", false},
                         {"error", "the workflow does not validate as written; nothing migrated"},
                         {"diagnostics", diagnostics_json(as_written)}};
        std::cout << valid_utf8(json::serialize(doc)) << std::endl;
      }
      print_diagnostics(as_written);
      std::cerr << o.file << ": does not validate as written; nothing migrated\n";
      return kExitBadInput;
    }
  }

  migrate::MigrationOptions mo;
  mo.enable_optimization = o.enable_optimization;
  mo.optimizer = o.optimizer;
  auto migrated = migrate::migrate_workflow_text(original, mo);
  if (!migrated) return report_bad_input(o.json, o.file + ":" + migrated.status().message());

  // Validated where it will live, so relative paths (file parts, sub-pipelines) resolve as they
  // will; a temporary name, so a refused result never replaces anything.
  std::random_device rd;
  const fs::path probe = output.parent_path() / ("." + output.filename().string() + ".migrate-" +
                                                 std::to_string(rd()) + ".yaml");
  if (auto st = write_file_atomically(probe, migrated->text); !st.ok())
    return report_bad_input(o.json, probe.string() + ": " + st.message());
  Diagnostics raw;
  LoadedWorkflow loaded = load_and_validate(probe.string(), o.config, raw);
  fs::remove(probe, ec);
  Diagnostics diags = renamed(raw, probe.string(), output.string());
  const bool valid = !diags.has_errors() && loaded.workflow.has_value();

  // The engine resolves a relative file part or sub-pipeline against the workflow's folder too:
  // an output elsewhere may not find them.
  std::vector<std::string> notes = migrated->notes;
  if (fs::weakly_canonical(fs::absolute(output).parent_path(), ec) !=
      fs::weakly_canonical(fs::absolute(o.file).parent_path(), ec))
    notes.push_back(
        "the output is in another folder than the original: relative paths in it "
        "(file parts, pipeline_file) now resolve from there");
  migrated->notes = notes;

  std::string diff;
  if (o.dry_run) diff = migrate::unified_diff(original, migrated->text, o.file, output.string());
  bool written = false;
  if (valid && !o.dry_run) {
    if (auto st = write_file_atomically(output, migrated->text); !st.ok())
      return report_bad_input(o.json, output.string() + ": " + st.message());
    written = true;
  }
  const int code = valid ? kExitOk : kExitBadInput;
  if (o.json) {
    json::object doc{{"success", valid},
                     {"exit_code", code},
                     {"file", o.file},
                     {"output", output.string()},
                     {"dry_run", o.dry_run},
                     {"written", written},
                     {"migrated", migrated->migrated_count()},
                     {"steps", steps_json(*migrated)},
                     {"diagnostics", diagnostics_json(diags)}};
    json::array notes;
    for (const auto& n : migrated->notes) notes.emplace_back(n);
    doc["notes"] = std::move(notes);
    if (o.dry_run) doc["diff"] = diff;
    std::cout << valid_utf8(json::serialize(doc)) << std::endl;
    if (!valid) print_diagnostics(diags);
    return code;
  }
  if (!valid) {
    print_diagnostics(diags);
    std::cerr << output.string() << ": the migrated workflow does not validate; nothing written\n";
    return code;
  }
  if (o.dry_run) {
    std::cout << diff;
    // The report goes to stderr so that stdout is exactly the patch.
    std::streambuf* saved = std::cout.rdbuf(std::cerr.rdbuf());
    print_report(o, output.string(), *migrated);
    std::cout.rdbuf(saved);
  } else {
    print_report(o, output.string(), *migrated);
  }
  if (diags.warning_count() > 0) print_diagnostics(diags);
  return code;
}

}  // namespace

void add_migrate_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<MigrateOptionsCli>();
  CLI::App* cmd = app.add_subcommand(
      "migrate", "Write a hybrid copy of a workflow: signatures for its optimizable LLM steps");
  cmd->add_option("file", opts->file, "The workflow YAML file (never modified)")->required();
  cmd->add_option("-o,--output", opts->output, "Where to write (default: <name>.hybrid.yaml)");
  cmd->add_option("-c,--config", opts->config, "Host config YAML (for validation)");
  cmd->add_flag("--force", opts->force, "Overwrite an existing output file");
  cmd->add_flag("--dry-run", opts->dry_run, "Print a unified diff and write nothing");
  cmd->add_flag("--json", opts->json, "Print the report as one JSON document on stdout");
  cmd->add_flag("--enable-optimization", opts->enable_optimization,
                "Write dspy_config.optimization_enabled: true");
  cmd->add_option("--optimizer", opts->optimizer,
                  "dspy_config.evaluation_mode (default bootstrap_few_shot)");
  cmd->callback([opts, &exit_code] {
    setup_logging(true);
    exit_code = run_migrate(*opts);
  });
}

}  // namespace pipeline::cli
