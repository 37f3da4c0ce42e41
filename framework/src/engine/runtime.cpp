#include <pipeline/engine/runtime.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace pipeline {

std::unique_ptr<Runtime> Runtime::create(HostConfig config, Diagnostics& diags) {
  std::unique_ptr<Runtime> rt(new Runtime(std::move(config)));
  const HostConfig& cfg = rt->config_;
  auto errors = rt->plugins_.load_directories(
      PluginHost::default_search_paths(cfg.plugin_search_paths), cfg.plugin_allowlist);
  for (const auto& e : errors) {
    // A broken library on the search path should not stop unrelated workflows; one that the
    // config asked for by name is an error (reported below as missing).
    diags.warning({cfg.source, 0, 0}, e.message());
  }
  for (const auto& name : cfg.plugin_allowlist) {
    auto libs = rt->plugins_.libraries();
    bool found = std::any_of(libs.begin(), libs.end(),
                             [&](const auto& l) { return l->info().name == name; });
    if (!found) {
      diags.error({cfg.source, 0, 0}, "plugins.load names plugin '" + name +
                                          "', which was not found on the search path");
    }
  }
  for (const auto& [name, inst] : cfg.providers) {
    if (!rt->plugins_.find(PL_KIND_PROVIDER, inst.component)) {
      std::string known;
      for (const auto& n : rt->plugins_.names(PL_KIND_PROVIDER)) known += (known.empty() ? "" : ", ") + n;
      diags.error(inst.where, "providers." + name + ": no provider plugin '" + inst.component +
                                  "' is loaded (loaded providers: " +
                                  (known.empty() ? "none" : known) + ")");
    }
    if (auto* env = inst.settings.if_contains("api_key_env"); env && env->is_string()) {
      rt->plugins_.redactor().add_from_env(std::string(env->get_string()));
    }
  }
  return rt;
}

Runtime::~Runtime() {
  plugins_.unregister_service(PL_SERVICE_COMPLETION);
}

bool Runtime::start(Diagnostics& diags) {
  std::map<std::string, std::shared_ptr<ProviderInstance>> providers;
  bool ok = true;
  for (const auto& [name, inst] : config_.providers) {
    // Only instances something is wired to: an unused instance must not demand its API key.
    bool used = std::any_of(config_.step_providers.begin(), config_.step_providers.end(),
                            [&](const auto& kv) { return kv.second == name; });
    if (!used) continue;
    auto p = plugins_.create_provider(inst.component, json::serialize(inst.settings));
    if (!p) {
      diags.error(inst.where, "providers." + name + ": " + p.status().message());
      ok = false;
      continue;
    }
    providers[name] = *p;
  }
  completion_ = std::make_unique<CompletionService>(std::move(providers),
                                                    config_.provider_for("default"));
  plugins_.register_service(PL_SERVICE_COMPLETION, completion_->service());
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
