#include <pipeline/engine/runtime.hpp>
#include <pipeline/monitor/memory_history.hpp>
#include <pipeline/monitor/sink_history.hpp>
#include <pipeline/sdk/secret.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

namespace pipeline {

std::unique_ptr<Runtime> Runtime::create(HostConfig config, Diagnostics& diags,
                                         const PluginNeeds* needs) {
  std::unique_ptr<Runtime> rt(new Runtime(std::move(config)));
  const HostConfig& cfg = rt->config_;
  rt->search_paths_ = PluginHost::default_search_paths(cfg.plugin_search_paths);
  rt->load_errors_ = rt->plugins_.load_directories(rt->search_paths_, cfg.plugin_allowlist, needs);
  for (const auto& e : rt->load_errors_) {
    // A broken library on the search path should not stop unrelated workflows; one that the
    // config asked for by name is an error (reported below as missing). Listed first: a refused
    // plugin is often why a later "unknown step type" appears.
    diags.cause_warning({e.file.string(), 0, 0}, e.message());
  }
  for (const auto& name : cfg.plugin_allowlist) {
    auto libs = rt->plugins_.libraries();
    bool found = std::any_of(libs.begin(), libs.end(),
                             [&](const auto& l) { return l->info().name == name; });
    if (!found) {
      diags.error({cfg.source, 0, 0}, "plugins.load names plugin '" + name +
                                          "', which was not found on the search path (searched: " +
                                          rt->searched() + ")");
    }
  }
  for (const auto& [name, inst] : cfg.providers) {
    // The built-in `mock` instance is a convenience, like the built-in cache levels: without its
    // plugin (an allowlist without mock, another plugin named mock) only a step that is served
    // by it fails, when it runs (see start()).
    const bool builtin = inst.where.file == "<built-in>";
    if (!builtin && !rt->plugins_.find(PL_KIND_PROVIDER, inst.component)) {
      diags.error(inst.where, "providers." + name + ": " + rt->missing_provider(inst.component));
    }
    if (auto* env = inst.settings.if_contains("api_key_env"); env && env->is_string()) {
      rt->plugins_.redactor().add_from_env(std::string(env->get_string()));
    }
  }
  return rt;
}

std::string Runtime::searched() const {
  std::string out;
  for (const auto& p : search_paths_) {
    if (!out.empty()) out += ", ";
    out += p.lexically_normal().string();
  }
  return out.empty() ? "no folders" : out;
}

std::string Runtime::missing_provider(const std::string& component) const {
  std::string known;
  for (const auto& n : plugins_.names(PL_KIND_PROVIDER)) known += (known.empty() ? "" : ", ") + n;
  return "no provider plugin '" + component +
         "' is loaded (loaded providers: " + (known.empty() ? "none" : known) +
         "; searched: " + searched() + ")";
}

Runtime::~Runtime() {
  // What the sinks have not taken yet gets the configured time, then is dropped (and counted).
  if (monitor_) (void)monitor_->flush(std::chrono::milliseconds(config_.metrics.flush_timeout_ms));
  plugins_.unregister_service(PL_SERVICE_COMPLETION);
  plugins_.unregister_service(PL_SERVICE_EXECUTOR);
  plugins_.unregister_service(PL_SERVICE_PROGRAM);
}

bool Runtime::start(Diagnostics& diags) {
  std::map<std::string, ProviderRoutes::Provider> providers;
  bool ok = start_cache(diags);
  ok = start_monitor(diags) && ok;
  // A backup named only by the fallback chain is used too: it must exist before a call hops.
  const std::vector<std::string> chain_providers = config_.fallback.providers();
  for (const auto& [name, inst] : config_.providers) {
    // Only instances something is wired to: an unused instance must not demand its API key.
    // (init-capture: clang 14 cannot capture a structured binding.)
    bool used = std::any_of(config_.step_providers.begin(), config_.step_providers.end(),
                            [&n = name](const auto& kv) { return kv.second == n; }) ||
                std::count(chain_providers.begin(), chain_providers.end(), name) > 0;
    if (!used) continue;
    // A missing key is bad input: say so before the run, not as an auth failure mid-way.
    if (auto* env = inst.settings.if_contains("api_key_env"); env && env->is_string()) {
      const char* key = std::getenv(std::string(env->get_string()).c_str());
      // Whitespace around a key is trimmed (by the provider, too); only whitespace is no key.
      if (key == nullptr || sdk::trim_secret(key).empty()) {
        diags.error(inst.where,
                    "providers." + name + ": the API key variable " +
                        std::string(env->get_string()) + " (api_key_env) is " +
                        (key == nullptr || *key == '\0' ? "not set" : "only whitespace") +
                        "; export it, or run offline with TEST_MODE=mock");
        ok = false;
        continue;
      }
    }
    if (!plugins_.find(PL_KIND_PROVIDER, inst.component)) {
      if (inst.where.file == "<built-in>") {
        // Not an error before a step asks for it: a run with no LLM step needs no mock.
        diags.warning(inst.where, "providers." + name + ": " + missing_provider(inst.component) +
                                      "; a step served by it will fail");
        continue;
      }
      diags.error(inst.where, "providers." + name + ": " + missing_provider(inst.component));
      ok = false;
      continue;
    }
    auto p = plugins_.create_provider(inst.component, json::serialize(inst.settings));
    if (!p) {
      diags.error(inst.where, "providers." + name + ": " + p.status().message());
      ok = false;
      continue;
    }
    json::object identity = inst.settings;
    identity.erase("api_key_env");  // which variable holds the key does not change the answer
    providers[name] = {*p, inst.component, get_string(inst.settings, "base_url"),
                       std::move(identity)};
  }
  auto routes = std::make_shared<ProviderRoutes>(std::move(providers), config_.step_providers,
                                                 config_.provider_for("default"));
  fallback_ = std::make_shared<FallbackChain>(config_.fallback);
  if (config_.fallback.cooldown) {
    cooldown_ = std::make_shared<ProviderCooldown>(*config_.fallback.cooldown);
  }
  stack_ = make_completion_stack(std::move(routes), cache_, fallback_, cooldown_);
  completion_service_ = std::make_unique<CompletionService>(stack_->top());
  plugins_.register_service(PL_SERVICE_COMPLETION, completion_service_->service());
  plugins_.register_service(PL_SERVICE_EXECUTOR, executor_service_.service());
  plugins_.register_service(PL_SERVICE_PROGRAM, program_service_.service());
  return ok;
}

bool Runtime::start_cache(Diagnostics& diags) {
  json::object section = config_.cache;
  if (!cache_mode_override_.empty()) section["mode"] = cache_mode_override_;
  auto parsed = parse_cache_config(json::value(section));
  if (!parsed) {
    diags.error({config_.source, 0, 0}, "cache: " + parsed.status().message());
    return false;
  }
  if (parsed->mode == CacheMode::kOff || parsed->levels.empty()) return true;
  if (config_.cache_is_builtin) {
    // The built-in levels are a convenience: without their plugins there is simply no cache.
    for (const auto& level : parsed->levels) {
      if (!plugins_.find(PL_KIND_CACHE, level.backend)) return true;
    }
  }
  auto manager = CacheManager::create(plugins_, *parsed);
  if (!manager) {
    diags.error({config_.source, 0, 0}, "cache: " + manager.status().message());
    return false;
  }
  cache_ = std::move(*manager);
  return true;
}

bool Runtime::start_monitor(Diagnostics& diags) {
  const MetricsConfig& m = config_.metrics;
  bool ok = true;
  std::vector<MonitorSink> sinks;
  for (const auto& [name, sink] : m.sinks) {
    const std::string what = "metrics.sinks." + name;
    if (!plugins_.find(PL_KIND_METRICS_SINK, sink.component)) {
      if (m.builtin) continue;  // the built-in history is a convenience, like the built-in cache
      std::string known;
      for (const auto& n : plugins_.names(PL_KIND_METRICS_SINK))
        known += (known.empty() ? "" : ", ") + n;
      diags.error(sink.where, what + ": no metrics sink plugin '" + sink.component +
                                  "' is loaded (loaded sinks: " + (known.empty() ? "none" : known) +
                                  "; searched: " + searched() + ")");
      ok = false;
      continue;
    }
    auto instance = plugins_.create_metrics_sink(sink.component, json::serialize(sink.settings));
    if (!instance) {
      if (m.builtin) {
        // A broken default history must not stop runs: they are simply not recorded across runs.
        diags.warning(sink.where, "metrics: the built-in history is not available (" +
                                      instance.status().message() +
                                      "); routing uses this run's records only");
        continue;
      }
      diags.error(sink.where, what + ": " + instance.status().message());
      ok = false;
      continue;
    }
    if (name == m.history) {
      if (!(*instance)->has_query()) {
        diags.error(sink.where, "metrics.history names sink '" + name + "', whose plugin '" +
                                    sink.component +
                                    "' has no query side (the router cannot read it)");
        ok = false;
      } else {
        history_ = std::make_shared<SinkHistory>(*instance, name);
      }
    }
    sinks.push_back({name, *instance});
  }
  PerformanceMonitor::Options options{.queue_size = m.queue_size, .memory = nullptr};
  if (!history_) {
    options.memory = std::make_shared<MemoryHistory>();
    history_ = options.memory;
  }
  monitor_ = std::make_unique<PerformanceMonitor>(std::move(sinks), std::move(options));
  return ok;
}

Result<std::shared_ptr<StepInstance>> Runtime::step(const std::string& type) {
  std::lock_guard lock(steps_mu_);
  if (auto it = steps_.find(type); it != steps_.end()) return it->second;
  json::object settings;
  if (auto it = config_.step_settings.find(type); it != config_.step_settings.end()) {
    settings = it->second;
  }
  auto s = plugins_.create_step(type, json::serialize(settings));
  if (!s) return s.status();
  steps_[type] = *s;
  return *s;
}

}  // namespace pipeline
