#include <pipeline/cache/cache_stats.hpp>

namespace pipeline {

json::value CacheStats::to_json() const {
  json::object o;
  o["mode"] = cache_mode_name(mode);
  o["gets"] = gets;
  o["hits"] = hits;
  o["misses"] = misses;
  o["computes"] = computes;
  o["coalesced"] = coalesced;
  o["compute_errors"] = compute_errors;
  o["in_flight"] = in_flight;
  o["waiting"] = waiting;
  json::array ls;
  for (const CacheLevelStats& l : levels) {
    json::object lo;
    lo["name"] = l.name;
    lo["backend"] = l.backend;
    lo["state"] = l.up ? "up" : "down";
    lo["hits"] = l.hits;
    lo["misses"] = l.misses;
    lo["errors"] = l.errors;
    lo["skipped"] = l.skipped;
    lo["puts"] = l.puts;
    lo["promotions"] = l.promotions;
    lo["get_count"] = l.get_count;
    lo["get_mean_us"] = l.get_mean_us;
    lo["get_p50_us"] = l.get_p50_us;
    lo["get_p99_us"] = l.get_p99_us;
    if (!l.last_error.empty()) lo["last_error"] = l.last_error;
    if (!l.health.empty()) lo["health"] = l.health;
    lo["backend_stats"] = l.backend_stats;
    ls.push_back(std::move(lo));
  }
  o["levels"] = std::move(ls);
  return o;
}

}  // namespace pipeline
