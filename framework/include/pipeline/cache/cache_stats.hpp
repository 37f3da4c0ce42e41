// Counters of a CacheManager and of each of its levels, as returned by CacheManager::stats().
//
//   CacheStats s = manager.stats();  s.levels[0].hits;  s.to_json();
#pragma once

#include <pipeline/cache/cache_mode.hpp>
#include <pipeline/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pipeline {

struct CacheLevelStats {
  std::string name;
  std::string backend;
  bool up = true;  // false after a failed call, until a call succeeds again
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t errors = 0;   // failed calls of any kind (the level was skipped)
  std::uint64_t skipped = 0;  // calls not made because the level was down and in its skip window
  std::uint64_t puts = 0;
  std::uint64_t promotions = 0;  // puts that copied a hit from a slower level into this one
  // get latency over the calls made (not the skipped ones)
  std::uint64_t get_count = 0;
  double get_mean_us = 0;
  double get_p50_us = 0;  // upper bound of the power-of-two bucket holding the median
  double get_p99_us = 0;
  std::string last_error;
  json::value backend_stats;  // the plugin's own stats() document
  std::string health;         // empty when the backend reports healthy
};

struct CacheStats {
  CacheMode mode = CacheMode::kOn;
  std::uint64_t gets = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t computes = 0;        // underlying calls made by get_or_compute
  std::uint64_t coalesced = 0;       // get_or_compute callers that shared another caller's call
  std::uint64_t compute_errors = 0;  // failed underlying calls (never cached)
  std::uint64_t in_flight = 0;       // underlying calls running now
  std::uint64_t waiting = 0;         // callers waiting now for another caller's call
  std::vector<CacheLevelStats> levels;

  json::value to_json() const;
};

}  // namespace pipeline
