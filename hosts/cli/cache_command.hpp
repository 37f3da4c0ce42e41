// `pipeline cache stats|clear|invalidate --signature HASH|get KEY`: inspect and maintain the
// cache levels configured for this host (docs/config.md, "Cache").
//
//   int exit_code = 0;
//   pipeline::cli::add_cache_command(app, exit_code);   // registers the subcommand with CLI11
//   // or, without CLI11: run_cache_command(options, std::cout, std::cerr)
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace pipeline::cli {

struct CacheCommandOptions {
  std::string action;     // "stats", "clear", "invalidate" or "get"
  std::string signature;  // invalidate
  std::string key;        // get
  // A JSON file holding the cache section ({"levels": [...]}) or a host config with a "cache"
  // member.
  std::filesystem::path config_file;
  std::vector<std::filesystem::path> plugin_dirs;  // searched before the default plugin paths
};

// Exit codes: 0 done; 1 not found (get) or a level could not be reached; 2 bad input.
int run_cache_command(const CacheCommandOptions& options, std::ostream& out, std::ostream& err);

// Adds the `cache` subcommand tree to `app`. When one of its subcommands runs, its exit code is
// stored in `exit_code` (which must outlive `app`).
CLI::App* add_cache_command(CLI::App& app, int& exit_code);

}  // namespace pipeline::cli
