// `pipeline cache ...`: see cache_command.hpp.
#include "cache_command.hpp"

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/cache/optimization_cache_key.hpp>
#include <pipeline/json.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "host_setup.hpp"

namespace pipeline::cli {

int run_cache_command(const CacheCommandOptions& options, std::ostream& out, std::ostream& err) {
  Diagnostics diags;
  HostConfig host_config = resolve_host_config(options.config, diags);
  auto config = parse_cache_config(json::value(host_config.cache));
  if (!config) {
    err << "pipeline cache: " << host_config.source << ": " << config.status().message() << "\n";
    return kExitBadInput;
  }
  if (config->levels.empty()) {
    err << "pipeline cache: " << host_config.source
        << " configures no cache levels (cache.levels); nothing to do\n";
    return kExitBadInput;
  }
  // Looking at an entry must not change the cache (no promotion); maintenance ignores the mode.
  config->mode = options.action == "get" ? CacheMode::kReadOnly : CacheMode::kOn;
  if (diags.has_errors()) {
    err << diags.format();
    return kExitBadInput;
  }
  // Only plugins are needed, not a Runtime: a provider that cannot be created (a missing plugin,
  // an unset API key) must not keep anyone from maintaining the cache.
  PluginHost plugins;
  for (const PluginLoadError& st :
       plugins.load_directories(PluginHost::default_search_paths(host_config.plugin_search_paths),
                                host_config.plugin_allowlist)) {
    err << "pipeline cache: warning: " << st.message() << "\n";
  }
  auto manager = CacheManager::create(plugins, *config);
  if (!manager) {
    err << "pipeline cache: " << manager.status().message() << "\n";
    return kExitBadInput;
  }
  CacheManager& cache = **manager;

  if (options.action == "stats") {
    CacheStats stats = cache.stats();
    out << json::serialize(stats.to_json()) << "\n";
    for (const auto& level : stats.levels) {
      if (!level.health.empty()) return kExitStepFailed;  // a level is down: say so to scripts
    }
    return kExitOk;
  }
  if (options.action == "clear") {
    if (Status st = cache.clear(); !st.ok()) {
      err << "pipeline cache clear: " << st.message() << "\n";
      return kExitStepFailed;
    }
    out << "cleared " << cache.level_count() << " cache level(s)\n";
    return kExitOk;
  }
  if (options.action == "invalidate") {
    if (options.signature.empty()) {
      err << "pipeline cache invalidate: --signature HASH is required\n";
      return kExitBadInput;
    }
    const std::string prefix = OptimizationCacheKey::signature_prefix(options.signature);
    if (Status st = cache.erase_prefix(prefix); !st.ok()) {
      err << "pipeline cache invalidate: " << st.message() << "\n";
      return kExitStepFailed;
    }
    out << "invalidated every optimization of signature " << options.signature << "\n";
    return kExitOk;
  }
  if (options.action == "get") {
    auto value = cache.get(options.key);
    if (!value) {
      err << "pipeline cache get: " << options.key << ": not found\n";
      return kExitStepFailed;
    }
    out << *value;
    if (value->empty() || value->back() != '\n') out << "\n";
    return kExitOk;
  }
  err << "pipeline cache: unknown action '" << options.action << "'\n";
  return kExitBadInput;
}

void add_cache_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<CacheCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("cache", "Inspect and maintain the response and optimization caches");
  cmd->require_subcommand(1);
  cmd->fallthrough();  // -c/--config may come before or after the action
  cmd->add_option("-c,--config", opts->config, "Host config YAML (its cache: section)");
  auto run = [opts, &exit_code](const char* action) {
    return [opts, &exit_code, action] {
      setup_logging(true);
      opts->action = action;
      exit_code = run_cache_command(*opts, std::cout, std::cerr);
    };
  };
  cmd->add_subcommand("stats", "Print per-level hits, misses, errors, latency and state as JSON")
      ->callback(run("stats"));
  cmd->add_subcommand("clear", "Remove every entry from every level")->callback(run("clear"));
  CLI::App* invalidate = cmd->add_subcommand(
      "invalidate", "Remove every cached optimization of one signature from every level");
  invalidate->add_option("--signature", opts->signature, "Signature hash")->required();
  invalidate->callback(run("invalidate"));
  CLI::App* get = cmd->add_subcommand("get", "Print the value stored under KEY");
  get->add_option("key", opts->key, "Cache key, e.g. resp:v1:<sha256>")->required();
  get->callback(run("get"));
}

}  // namespace pipeline::cli
