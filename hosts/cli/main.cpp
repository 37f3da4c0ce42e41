// `pipeline`: runs pipeline_ex workflows through shared-library plugins.
#include "commands.hpp"

#include <pipeline/plugin.h>
#include <pipeline/json.hpp>
#include <pipeline/util/utf8.hpp>

#include <iostream>
#include <string_view>

namespace {

// Tools that asked for --json get one JSON document even when the command line is wrong.
bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--json") return true;
    if (std::string_view(argv[i]) == "--") break;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pipeline: run LLM workflows written in YAML (pipeline_ex format) through plugins"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the version and ABI, then exit");
  int exit_code = pipeline::cli::kExitOk;
  pipeline::cli::add_run_command(app, exit_code);
  pipeline::cli::add_validate_command(app, exit_code);
  pipeline::cli::add_plugins_command(app, exit_code);
  pipeline::cli::add_cache_command(app, exit_code);
  pipeline::cli::add_program_command(app, exit_code);
  pipeline::cli::add_render_command(app, exit_code);
  pipeline::cli::add_evaluate_command(app, exit_code);
  pipeline::cli::add_optimize_command(app, exit_code);
  pipeline::cli::add_compare_command(app, exit_code);
  pipeline::cli::add_report_command(app, exit_code);
  pipeline::cli::add_migrate_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (wants_json(argc, argv)) {
      pipeline::json::object doc{{"success", false},
                                 {"exit_code", pipeline::cli::kExitBadInput},
                                 {"status", "usage_error"},
                                 {"error", e.what()}};
      std::cout << pipeline::valid_utf8(pipeline::json::serialize(doc)) << std::endl;
      std::cerr << e.what() << "\n";
      return pipeline::cli::kExitBadInput;
    }
    app.exit(e);
    return pipeline::cli::kExitBadInput;
  }
  if (version) {
    std::cout << "pipeline " << PIPELINE_VERSION << " (plugin ABI " << PL_ABI_MAJOR << "."
              << PL_ABI_MINOR << ")\n";
    return pipeline::cli::kExitOk;
  }
  if (app.get_subcommands().empty()) {
    if (wants_json(argc, argv)) {
      pipeline::json::object doc{
          {"success", false},
          {"exit_code", pipeline::cli::kExitBadInput},
          {"status", "usage_error"},
          {"error",
           "a subcommand is required (run, validate, plugins, cache, program, render, evaluate, "
           "optimize, compare, report, migrate)"}};
      std::cout << pipeline::json::serialize(doc) << std::endl;
    }
    std::cerr << app.help();
    return pipeline::cli::kExitBadInput;
  }
  return exit_code;
}
