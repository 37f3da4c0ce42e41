// `pipeline`: runs pipeline_ex workflows through shared-library plugins.
#include "commands.hpp"

#include <pipeline/plugin.h>

#include <iostream>

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return pipeline::cli::kExitBadInput;
  }
  if (version) {
    std::cout << "pipeline " << PIPELINE_VERSION << " (plugin ABI " << PL_ABI_MAJOR << "."
              << PL_ABI_MINOR << ")\n";
    return pipeline::cli::kExitOk;
  }
  if (app.get_subcommands().empty()) {
    std::cerr << app.help();
    return pipeline::cli::kExitBadInput;
  }
  return exit_code;
}
