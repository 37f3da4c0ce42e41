// Shared by the completion-stack tests: a PluginHost with the real mock provider, the scripted
// fixture provider and the memory cache loaded from the build, and routes over instances of them.
#pragma once

#include <pipeline/llm/provider_routes.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace pipeline::testing {

inline std::unique_ptr<PluginHost> llm_plugin_host() {
  auto host = std::make_unique<PluginHost>();
  namespace fs = std::filesystem;
  for (const fs::path& file :
       {fs::path(PIPELINE_PLUGIN_DIR) / "libpipeline_mock.so",
        fs::path(PIPELINE_PLUGIN_DIR) / "libpipeline_cache_memory.so",
        fs::path(PIPELINE_TEST_PLUGIN_DIR) / "libpipeline_fixture_third_party.so"}) {
    Status st = host->load_file(file);
    EXPECT_TRUE(st.ok()) << st.to_string();
  }
  return host;
}

// name -> {component, settings JSON}
using InstanceSpecs = std::map<std::string, std::pair<std::string, std::string>>;

inline std::shared_ptr<ProviderRoutes> make_routes(
    PluginHost& host, const InstanceSpecs& specs,
    std::map<std::string, std::string> step_providers = {}, std::string fallback = "mock") {
  std::map<std::string, ProviderRoutes::Provider> providers;
  for (const auto& [name, spec] : specs) {
    auto p = host.create_provider(spec.first, spec.second);
    EXPECT_TRUE(p) << p.status().to_string();
    if (!p) continue;
    providers[name] = {*p, spec.first, "", json::parse(spec.second).as_object()};
  }
  return std::make_shared<ProviderRoutes>(std::move(providers), std::move(step_providers),
                                          std::move(fallback));
}

inline const char* kHello = R"({"messages":[{"role":"user","content":"hello"}]})";

}  // namespace pipeline::testing
