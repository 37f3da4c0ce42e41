// The plugin host: loads plugin libraries, keeps the registry of components by (kind, name),
// creates instances, and offers host services to plugins.
//
//   PluginHost host;
//   host.load_directories(PluginHost::default_search_paths({}));
//   auto provider = host.create_provider("mock", R"({"latency_ms": 0})");
#pragma once

#include <pipeline/plugin.h>
#include <pipeline/plugins/component.hpp>
#include <pipeline/plugins/instances.hpp>
#include <pipeline/plugins/plugin_library.hpp>
#include <pipeline/plugins/secret_redactor.hpp>
#include <pipeline/status.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace pipeline {

struct PluginNeeds;

// A library on the search path that was refused, and why (the message names the file too).
struct PluginLoadError {
  std::filesystem::path file;
  Status status;
  const std::string& message() const { return status.message(); }
};

class PluginHost {
 public:
  PluginHost();
  ~PluginHost();
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // Configured paths first, then $PIPELINE_PLUGIN_PATH (colon-separated), then
  // <binary>/../lib/pipeline/plugins, <binary>/../plugins when the binary is in a build tree, and
  // the install prefix's plugin folder. Never the current directory unless configured.
  static std::vector<std::filesystem::path> default_search_paths(
      const std::vector<std::filesystem::path>& configured);

  // Loads one library; refuses a wrong ABI, a duplicate plugin or component name, a failed init.
  Status load_file(const std::filesystem::path& file);
  // Loads every libpipeline_*.so in each folder (missing folders are skipped). When `only` is not
  // empty, loads just the plugins with those names. With `needs`, and a fresh
  // plugins.manifest.json in every folder that lists each needed component, opens only the
  // libraries providing them; otherwise scans as without. Returns one entry per refused library.
  std::vector<PluginLoadError> load_directories(const std::vector<std::filesystem::path>& dirs,
                                                const std::vector<std::string>& only = {},
                                                const PluginNeeds* needs = nullptr);

  std::vector<std::shared_ptr<PluginLibrary>> libraries() const;
  // Components of one kind (0: all), in registration order.
  std::vector<std::shared_ptr<const Component>> components(uint32_t kind = 0) const;
  std::shared_ptr<const Component> find(uint32_t kind, std::string_view name) const;
  std::vector<std::string> names(uint32_t kind) const;

  Result<std::shared_ptr<StepInstance>> create_step(std::string_view name,
                                                    std::string_view config_json = "{}");
  Result<std::shared_ptr<ProviderInstance>> create_provider(std::string_view name,
                                                            std::string_view config_json = "{}");
  Result<std::shared_ptr<OptimizerInstance>> create_optimizer(std::string_view name,
                                                              std::string_view config_json = "{}");
  Result<std::shared_ptr<CacheInstance>> create_cache(std::string_view name,
                                                      std::string_view config_json = "{}");
  Result<std::shared_ptr<MetricsSinkInstance>> create_metrics_sink(
      std::string_view name, std::string_view config_json = "{}");

  // Services are owned by the caller and must stay valid until unregistered.
  void register_service(const std::string& id, const pl_service_header* service);
  void unregister_service(const std::string& id);
  const pl_service_header* service(const std::string& id, uint32_t min_version) const;

  SecretRedactor& redactor();
  const SecretRedactor& redactor() const;

 private:
  struct Core;         // what plugins reach after init (log redaction, services); shared with them
  struct LibraryHost;  // the pl_host of one library (attribution of logs and registrations)
  static void c_log(pl_host* host, int32_t level, const char* message, size_t len);
  static int32_t c_register(pl_host* host, const pl_component_header* component);
  static const pl_service_header* c_get_service(pl_host* host, const char* id, uint32_t version);
  Status register_component(LibraryHost& lib, const pl_component_header* header);
  Result<std::pair<std::shared_ptr<const Component>, void*>> create_instance(
      uint32_t kind, std::string_view name, std::string_view config_json);

  mutable std::shared_mutex mu_;
  std::shared_ptr<Core> core_;
  std::vector<std::shared_ptr<LibraryHost>> hosts_;
  std::vector<std::shared_ptr<const Component>> components_;
  std::map<std::pair<uint32_t, std::string>, std::shared_ptr<const Component>> by_name_;
};

}  // namespace pipeline
