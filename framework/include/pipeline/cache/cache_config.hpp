// The cache section of a host config, as JSON (docs/config.md, "Cache"):
//   {"mode": "on", "skip_ms": 1000,
//    "levels": [{"backend": "memory", "name": "l1", "ttl_ms": 600000, "config": {...}},
//               {"backend": "sqlite", "ttl_ms": 0, "config": {"path": "cache.db"}}]}
// Levels are listed fastest first. "name" defaults to the backend name.
//
//   auto cfg = pipeline::parse_cache_config(json_value);   // Result<CacheConfig>
#pragma once

#include <pipeline/cache/cache_mode.hpp>
#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pipeline {

struct CacheLevelConfig {
  std::string name;         // unique among the levels; shown in stats and warnings
  std::string backend;      // the cache component name: "memory", "sqlite", "redis", ...
  std::string config_json;  // passed to the backend's create()
  std::int64_t ttl_ms = 0;  // per-level TTL for writes and promotions; <= 0: the backend's default
};

struct CacheConfig {
  CacheMode mode = CacheMode::kOn;
  // After a level fails, the manager skips it for this long (the backend gets no calls at all).
  std::int64_t skip_ms = 1000;
  std::vector<CacheLevelConfig> levels;
};

Result<CacheConfig> parse_cache_config(const json::value& doc);

}  // namespace pipeline
