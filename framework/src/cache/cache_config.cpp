#include <pipeline/cache/cache_config.hpp>

#include <set>

namespace pipeline {

namespace {

Result<std::int64_t> int_member(const json::object& o, std::string_view key, std::int64_t fallback,
                                const std::string& where) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return fallback;
  if (v->is_int64() && v->as_int64() >= 0) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return invalid_argument(where + "." + std::string(key) + ": expected a non-negative integer");
}

}  // namespace

Result<CacheConfig> parse_cache_config(const json::value& doc) {
  if (!doc.is_object()) return invalid_argument("cache: expected an object");
  const json::object& o = doc.as_object();
  for (const auto& kv : o) {
    if (kv.key() != "mode" && kv.key() != "levels" && kv.key() != "skip_ms") {
      return invalid_argument("cache: unknown key '" + std::string(kv.key()) + "'");
    }
  }
  CacheConfig config;
  if (const json::value* m = o.if_contains("mode")) {
    if (!m->is_string()) return invalid_argument("cache.mode: expected a string");
    auto mode = parse_cache_mode(m->as_string());
    if (!mode) return mode.status();
    config.mode = *mode;
  }
  auto skip = int_member(o, "skip_ms", config.skip_ms, "cache");
  if (!skip) return skip.status();
  config.skip_ms = *skip;
  const json::value* levels = o.if_contains("levels");
  if (levels == nullptr) return config;  // no levels: every lookup misses
  if (!levels->is_array()) return invalid_argument("cache.levels: expected an array");
  std::set<std::string> names;
  std::size_t index = 0;
  for (const json::value& lv : levels->as_array()) {
    const std::string where = "cache.levels[" + std::to_string(index++) + "]";
    if (!lv.is_object()) return invalid_argument(where + ": expected an object");
    const json::object& lo = lv.as_object();
    for (const auto& kv : lo) {
      if (kv.key() != "backend" && kv.key() != "name" && kv.key() != "ttl_ms" &&
          kv.key() != "config") {
        return invalid_argument(where + ": unknown key '" + std::string(kv.key()) + "'");
      }
    }
    CacheLevelConfig level;
    level.backend = get_string(lo, "backend");
    if (level.backend.empty()) return invalid_argument(where + ".backend: required");
    level.name = get_string(lo, "name", level.backend);
    if (!names.insert(level.name).second) {
      return invalid_argument(where + ".name: '" + level.name + "' is used by another level");
    }
    auto ttl = int_member(lo, "ttl_ms", 0, where);
    if (!ttl) return ttl.status();
    level.ttl_ms = *ttl;
    if (const json::value* c = lo.if_contains("config")) {
      if (!c->is_object()) return invalid_argument(where + ".config: expected an object");
      level.config_json = json::serialize(*c);
    } else {
      level.config_json = "{}";
    }
    config.levels.push_back(std::move(level));
  }
  return config;
}

}  // namespace pipeline
