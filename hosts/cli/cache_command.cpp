#include "cache_command.hpp"

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/cache/optimization_cache_key.hpp>
#include <pipeline/json.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace pipeline::cli {

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kBadInput = 2;

Result<CacheConfig> load_config(const std::filesystem::path& file) {
  if (file.empty()) return invalid_argument("no cache config given (--cache-config FILE)");
  std::ifstream in(file, std::ios::binary);
  if (!in) return invalid_argument(file.string() + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto doc = parse_json(text.str());
  if (!doc) return invalid_argument(file.string() + ": " + doc.status().message());
  const json::value* section = &*doc;
  if (doc->is_object() && doc->as_object().contains("cache"))
    section = &doc->as_object().at("cache");
  auto config = parse_cache_config(*section);
  if (!config) return invalid_argument(file.string() + ": " + config.status().message());
  return config;
}

}  // namespace

int run_cache_command(const CacheCommandOptions& options, std::ostream& out, std::ostream& err) {
  auto config = load_config(options.config_file);
  if (!config) {
    err << "pipeline cache: " << config.status().message() << "\n";
    return kBadInput;
  }
  if (options.action == "get") {
    // Looking at an entry must not change the cache (no promotion).
    config->mode = CacheMode::kReadOnly;
  } else {
    config->mode = CacheMode::kOn;
  }
  PluginHost host;
  auto dirs = PluginHost::default_search_paths(options.plugin_dirs);
  for (const Status& st : host.load_directories(dirs)) {
    err << "pipeline cache: warning: " << st.message() << "\n";
  }
  auto manager = CacheManager::create(host, *config);
  if (!manager) {
    err << "pipeline cache: " << manager.status().message() << "\n";
    return kBadInput;
  }
  CacheManager& cache = **manager;

  if (options.action == "stats") {
    out << json::serialize(cache.stats().to_json()) << "\n";
    bool all_up = true;
    for (const auto& level : cache.stats().levels) all_up = all_up && level.health.empty();
    return all_up ? kOk : kFailed;
  }
  if (options.action == "clear") {
    Status st = cache.clear();
    if (!st.ok()) {
      err << "pipeline cache clear: " << st.message() << "\n";
      return kFailed;
    }
    out << "cleared " << cache.level_count() << " cache level(s)\n";
    return kOk;
  }
  if (options.action == "invalidate") {
    if (options.signature.empty()) {
      err << "pipeline cache invalidate: --signature HASH is required\n";
      return kBadInput;
    }
    const std::string prefix = OptimizationCacheKey::signature_prefix(options.signature);
    Status st = cache.erase_prefix(prefix);
    if (!st.ok()) {
      err << "pipeline cache invalidate: " << st.message() << "\n";
      return kFailed;
    }
    out << "invalidated every optimization of signature " << options.signature << " (" << prefix
        << "*)\n";
    return kOk;
  }
  if (options.action == "get") {
    auto value = cache.get(options.key);
    if (!value) {
      err << "pipeline cache get: " << options.key << ": not found\n";
      return kFailed;
    }
    out << *value;
    if (value->empty() || value->back() != '\n') out << "\n";
    return kOk;
  }
  err << "pipeline cache: unknown action '" << options.action << "'\n";
  return kBadInput;
}

CLI::App* add_cache_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CacheCommandOptions>();
  CLI::App* cache =
      app.add_subcommand("cache", "Inspect and maintain the response and optimization caches");
  cache->require_subcommand(1);
  cache->fallthrough();  // `pipeline cache stats --cache-config f` works as well as the reverse
  cache
      ->add_option("--cache-config", options->config_file,
                   "JSON file with the cache section (or a host config with a \"cache\" member)")
      ->required()
      ->check(CLI::ExistingFile);
  cache->add_option("--plugin-dir", options->plugin_dirs, "Extra folder to load plugins from");

  auto run = [options, &exit_code](std::string action) {
    return [options, &exit_code, action] {
      options->action = action;
      exit_code = run_cache_command(*options, std::cout, std::cerr);
    };
  };
  cache->add_subcommand("stats", "Print per-level hits, misses, errors, latency and state as JSON")
      ->callback(run("stats"));
  cache->add_subcommand("clear", "Remove every entry from every level")->callback(run("clear"));
  CLI::App* invalidate = cache->add_subcommand(
      "invalidate", "Remove every cached optimization of one signature from every level");
  invalidate->add_option("--signature", options->signature, "Signature hash")->required();
  invalidate->callback(run("invalidate"));
  CLI::App* get = cache->add_subcommand("get", "Print the value stored under KEY");
  get->add_option("key", options->key, "Cache key (e.g. resp:v1:<sha256>)")->required();
  get->callback(run("get"));
  return cache;
}

}  // namespace pipeline::cli
