// `pipeline cache stats|clear|invalidate --signature HASH|get KEY`: inspect and maintain the cache
// levels of the host config's `cache:` section (docs/config.md, "Cache"). Registered with CLI11 by
// add_cache_command (commands.hpp); the work itself is run_cache_command, so tests can call it.
//
//   CacheCommandOptions o{.action = "stats", .config = "host.yaml"};
//   int exit_code = run_cache_command(o, std::cout, std::cerr);
#pragma once

#include <ostream>
#include <string>

namespace pipeline::cli {

struct CacheCommandOptions {
  std::string action;     // "stats", "clear", "invalidate" or "get"
  std::string config;     // host config (-c/--config); empty: $PIPELINE_CONFIG, ~/.config, ...
  std::string signature;  // invalidate --signature
  std::string key;        // get KEY
};

// Exit codes: 0 done; 1 a miss (get) or a level that could not be reached; 2 bad input.
int run_cache_command(const CacheCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pipeline::cli
