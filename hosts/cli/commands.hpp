// The `pipeline` subcommands, one file each. A command's callback stores its exit code in
// `exit_code`: 0 success, 1 a step failed, 2 bad input (usage, config, data).
#pragma once

#include <CLI/CLI.hpp>

namespace pipeline::cli {

constexpr int kExitOk = 0;
constexpr int kExitStepFailed = 1;
constexpr int kExitBadInput = 2;

void add_run_command(CLI::App& app, int& exit_code);
void add_validate_command(CLI::App& app, int& exit_code);
void add_plugins_command(CLI::App& app, int& exit_code);
void add_cache_command(CLI::App& app, int& exit_code);
void add_program_command(CLI::App& app, int& exit_code);
void add_render_command(CLI::App& app, int& exit_code);
void add_evaluate_command(CLI::App& app, int& exit_code);
void add_optimize_command(CLI::App& app, int& exit_code);
void add_compare_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_migrate_command(CLI::App& app, int& exit_code);

}  // namespace pipeline::cli
