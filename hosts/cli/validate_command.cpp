// `pipeline validate FILE`: every problem in the workflow and host config, at once, with places.
#include "commands.hpp"
#include "host_setup.hpp"

#include <pipeline/util/utf8.hpp>

#include <iostream>

namespace pipeline::cli {

void add_validate_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string file, config;
    bool json = false;
    bool strict = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("validate", "Check a workflow without running it");
  cmd->add_option("file", opts->file, "The workflow YAML file")->required();
  cmd->add_option("-c,--config", opts->config, "Host config YAML");
  cmd->add_flag("--json", opts->json, "Print the diagnostics as one JSON document on stdout");
  cmd->add_flag("--strict", opts->strict, "Treat warnings as errors");
  cmd->callback([opts, &exit_code] {
    setup_logging(true);
    Diagnostics diags;
    LoadedWorkflow loaded = load_and_validate(opts->file, opts->config, diags);
    if (opts->strict) diags.promote_warnings();
    bool valid = !diags.has_errors() && loaded.workflow.has_value();
    if (opts->json) {
      json::object doc{
          {"valid", valid}, {"file", opts->file}, {"diagnostics", diagnostics_json(diags)}};
      if (loaded.workflow) {
        doc["workflow"] = loaded.workflow->name;
        doc["steps"] = loaded.workflow->steps.size();
      }
      std::cout << valid_utf8(json::serialize(doc)) << std::endl;
    } else {
      print_diagnostics(diags);
      if (valid) {
        std::cout << opts->file << ": valid (" << loaded.workflow->steps.size() << " steps, "
                  << diags.warning_count() << " warning(s))\n";
      }
    }
    exit_code = valid ? kExitOk : kExitBadInput;
  });
}

}  // namespace pipeline::cli
