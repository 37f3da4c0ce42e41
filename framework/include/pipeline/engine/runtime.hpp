// The composition root: everything a run needs, assembled from the host config: loaded plugins,
// provider instances, the completion stack (and its C service registered with the host), the
// executor service, step instances (created once per type), the metrics sinks with the
// performance monitor and the history the router reads.
//
//   Diagnostics d;
//   auto rt = Runtime::create(host_config, d);   // plugin problems go to d
//   rt->start(d);                                // creates providers; config errors go to d
#pragma once

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/host_config.hpp>
#include <pipeline/engine/completion_service.hpp>
#include <pipeline/engine/executor_service.hpp>
#include <pipeline/engine/needed_plugins.hpp>
#include <pipeline/llm/completion_stack.hpp>
#include <pipeline/monitor/history.hpp>
#include <pipeline/monitor/performance_monitor.hpp>
#include <pipeline/optimize/program_service.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <map>
#include <memory>
#include <mutex>

namespace pipeline {

class Runtime {
 public:
  // Loads the plugins the config names (or all found on the search path); with `needs`, only
  // the libraries of those components when the plugin folders' manifests allow it.
  static std::unique_ptr<Runtime> create(HostConfig config, Diagnostics& diags,
                                         const PluginNeeds* needs = nullptr);
  ~Runtime();

  // Creates the provider instances and registers the host services. False on errors (in diags).
  bool start(Diagnostics& diags);

  PluginHost& plugins() { return plugins_; }
  // The folders plugins were looked for in, in order, and the libraries there that were refused.
  const std::vector<std::filesystem::path>& search_paths() const { return search_paths_; }
  const std::vector<PluginLoadError>& load_errors() const { return load_errors_; }
  const HostConfig& config() const { return config_; }
  // The top of the completion stack (after start()): every LLM call of a run goes through it.
  Completion& completion() { return stack_->top(); }
  // Every LLM call this runtime served, over all its runs (a run's own totals are in RunResult).
  CallTotals lifetime_totals() const { return stack_ ? stack_->totals() : CallTotals{}; }
  // The response cache (nullptr when caching is off or no level is configured).
  const std::shared_ptr<CacheManager>& cache() const { return cache_; }
  // Overrides the config's cache mode for this run (CLI --cache); call before start().
  void set_cache_mode(std::string mode) { cache_mode_override_ = std::move(mode); }
  // The host config's fallback chain (after start()); a step strategy builds its own from
  // config().fallback when a workflow turns it off (hybrid_config.fallback_enabled: false).
  const FallbackChain& fallback_chain() const { return *fallback_; }
  // The provider cooldown shared by every call (nullptr: the config has no `cooldown:`).
  ProviderCooldown* cooldown() const { return cooldown_.get(); }
  ExecutorService& executor_service() { return executor_service_; }
  // The "pipeline.program" service optimizer plugins call (registered by start()); an
  // OptimizationSession routes its plugin's calls through it.
  ProgramService& program_service() { return program_service_; }
  // The step component instance for a step type, created on first use.
  Result<std::shared_ptr<StepInstance>> step(const std::string& type);
  // The performance monitor (after start(); nullptr before): the executor records every
  // top-level step execution into it, and it hands the records to the metrics sinks.
  PerformanceMonitor* monitor() { return monitor_.get(); }
  // The history the router and `pipeline compare` read (after start(); nullptr before): the
  // query side of the sink `metrics.history` names, else the records of this runtime's own runs
  // kept in memory.
  const History* history() const { return history_.get(); }

 private:
  explicit Runtime(HostConfig config) : config_(std::move(config)) {}
  HostConfig config_;
  PluginHost plugins_;
  std::vector<std::filesystem::path> search_paths_;
  std::vector<PluginLoadError> load_errors_;
  std::string searched() const;  // the search path, for messages
  std::string missing_provider(const std::string& component) const;
  bool start_cache(Diagnostics& diags);
  std::shared_ptr<CacheManager> cache_;
  std::string cache_mode_override_;
  std::shared_ptr<const FallbackChain> fallback_ = std::make_shared<FallbackChain>();
  std::shared_ptr<ProviderCooldown> cooldown_;
  std::unique_ptr<CompletionStack> stack_;
  std::unique_ptr<CompletionService> completion_service_;
  ExecutorService executor_service_;
  ProgramService program_service_;
  std::mutex steps_mu_;
  std::map<std::string, std::shared_ptr<StepInstance>> steps_;
  bool start_monitor(Diagnostics& diags);
  std::shared_ptr<History> history_;
  std::unique_ptr<PerformanceMonitor> monitor_;  // after plugins_: stops before they go
};

}  // namespace pipeline
