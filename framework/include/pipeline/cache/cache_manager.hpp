// A multi-level cache over cache-backend plugins. Levels are fastest first. Reads go down the
// levels and copy a hit into the faster levels above it (promotion); writes go to every level
// (write-through) with each level's TTL. A level that fails is skipped — counted, reported in
// stats, warned about once per outage — and never fails the caller. Concurrent get_or_compute
// calls for one key make a single underlying call; failed calls are never cached.
//
//   PluginHost host; host.load_directories(...);
//   auto cache = CacheManager::create(host, *parse_cache_config(doc));   // Result<unique_ptr>
//   Result<std::string> r = (*cache)->get_or_compute(key, [&]() -> Result<std::string> {
//     return call_provider(request);
//   });
#pragma once

#include <pipeline/cache/cache_config.hpp>
#include <pipeline/cache/cache_mode.hpp>
#include <pipeline/cache/cache_stats.hpp>
#include <pipeline/cache/single_flight.hpp>
#include <pipeline/plugins/instances.hpp>
#include <pipeline/status.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline {

class PluginHost;

class CacheManager {
 public:
  struct Level {
    std::string name;
    std::shared_ptr<CacheInstance> instance;
    std::int64_t ttl_ms = 0;
  };

  CacheManager(std::vector<Level> levels, CacheMode mode = CacheMode::kOn,
               std::int64_t skip_ms = 1000);
  ~CacheManager();
  CacheManager(const CacheManager&) = delete;
  CacheManager& operator=(const CacheManager&) = delete;

  // Creates one backend instance per level through the host. A level whose backend is unknown or
  // whose config is invalid is an error (a typo must not silently disable caching).
  static Result<std::unique_ptr<CacheManager>> create(PluginHost& host, const CacheConfig& config);

  // Read-through: the first level that has the key answers; faster levels get a copy (unless
  // read_only). nullopt on a miss everywhere, or when the mode does not read.
  std::optional<std::string> get(std::string_view key);
  // Write-through to every level (unless the mode does not write). Failing levels are skipped.
  void put(std::string_view key, std::string_view value);
  // get(), else one compute() per key across concurrent callers, whose successful result is put().
  // An error result is returned to every waiting caller and never stored.
  Result<std::string> get_or_compute(const std::string& key,
                                     const std::function<Result<std::string>()>& compute);

  // Administrative calls reach every level whatever the mode; they report the levels that failed.
  Status erase(std::string_view key);
  Status erase_prefix(std::string_view prefix);
  Status clear() { return erase_prefix(""); }

  CacheMode mode() const { return mode_.load(); }
  void set_mode(CacheMode mode) { mode_.store(mode); }
  std::size_t level_count() const { return levels_.size(); }
  CacheStats stats() const;

 private:
  struct LevelState;

  std::optional<std::string> lookup(std::string_view key, bool count);
  bool usable(LevelState& level);
  void record_failure(LevelState& level, const std::string& what);
  void record_success(LevelState& level);
  void put_levels(std::string_view key, std::string_view value, std::size_t count, bool promotion);

  std::vector<std::unique_ptr<LevelState>> levels_;
  std::atomic<CacheMode> mode_;
  std::int64_t skip_ns_;
  SingleFlight<Result<std::string>> flights_;
  std::atomic<std::uint64_t> gets_{0}, hits_{0}, misses_{0}, computes_{0}, coalesced_{0},
      compute_errors_{0};
};

}  // namespace pipeline
