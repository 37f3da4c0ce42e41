// A CacheManager over one in-memory level from the built cache_memory plugin.
#pragma once

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

namespace pipeline::testing {

struct MemoryCache {
  PluginHost host;
  std::shared_ptr<CacheManager> cache;
  MemoryCache() {
    Status st =
        host.load_file(std::filesystem::path(PIPELINE_PLUGIN_DIR) / "libpipeline_cache_memory.so");
    EXPECT_TRUE(st.ok()) << st.to_string();
    CacheConfig cfg;
    cfg.levels.push_back({"memory", "memory", "{}", 0});
    auto m = CacheManager::create(host, cfg);
    EXPECT_TRUE(m) << m.status().to_string();
    if (m) cache = std::move(*m);
  }
};

}  // namespace pipeline::testing
