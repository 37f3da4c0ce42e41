// The "sqlite" cache backend: a persistent cache in one SQLite file (WAL mode), bounded in bytes.
//
// Config: {"path": "/var/cache/pipeline/cache.db" (required), "max_bytes": 268435456,
//          "busy_timeout_ms": 500, "pool_size": 4, "default_ttl_ms": 0,
//          "check_interval_ms": 250, "retry_interval_ms": 1000}
// See docs/config.md, "Cache". A broken file never fails a call with anything but
// PL_UNAVAILABLE, which the cache manager treats as a miss of this level.
#include <pipeline/plugin.hpp>
#include "cache_common/config_field.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <string>

#include "sqlite_store.hpp"

namespace {

namespace json = boost::json;
using pipeline::cache_sqlite::SqliteStore;
using pipeline::sdk::Error;

std::int64_t int_field(const json::object& o, const char* name, std::int64_t fallback,
                       std::int64_t min) {
  return pipeline::cache_common::int_field(o, name, fallback, min, "sqlite cache");
}

SqliteStore::Options parse(std::string_view config) {
  boost::system::error_code ec;
  json::value v = json::parse(config.empty() ? std::string_view("{}") : config, ec);
  if (ec || !v.is_object())
    throw Error(PL_INVALID_ARGUMENT, "sqlite cache: config must be a JSON object");
  const json::object& o = v.as_object();
  static constexpr std::string_view known[] = {
      "path",           "max_bytes",         "busy_timeout_ms",  "pool_size",
      "default_ttl_ms", "check_interval_ms", "retry_interval_ms"};
  for (const auto& kv : o) {
    if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known)) {
      throw Error(PL_INVALID_ARGUMENT,
                  "sqlite cache: unknown config key '" + std::string(kv.key()) + "'");
    }
  }
  SqliteStore::Options opt;
  const json::value* path = o.if_contains("path");
  if (path == nullptr || !path->is_string() || path->as_string().empty()) {
    throw Error(PL_INVALID_ARGUMENT, "sqlite cache: 'path' (a file name) is required");
  }
  opt.path = std::string(path->as_string());
  opt.max_bytes = int_field(o, "max_bytes", opt.max_bytes, 1);
  opt.busy_timeout_ms = static_cast<int>(int_field(o, "busy_timeout_ms", opt.busy_timeout_ms, 0));
  opt.pool_size = static_cast<std::size_t>(int_field(o, "pool_size", 4, 1));
  opt.default_ttl_ms = int_field(o, "default_ttl_ms", 0, 0);
  opt.check_interval_ms = int_field(o, "check_interval_ms", opt.check_interval_ms, 0);
  opt.retry_interval_ms = int_field(o, "retry_interval_ms", opt.retry_interval_ms, 0);
  return opt;
}

class SqliteCache : public pipeline::sdk::CacheBackend {
 public:
  SqliteCache(const pl_host_api* host, std::string_view config)
      : CacheBackend(host, config), store_(parse(config), [this](int level, std::string_view m) {
          this->host().log(level, m);
        }) {}

  std::optional<std::string> get(std::string_view key) override { return store_.get(key); }
  void put(std::string_view key, std::string_view value, int64_t ttl_ms) override {
    store_.put(key, value, ttl_ms);
  }
  void erase(std::string_view key) override { store_.erase(key); }
  void erase_prefix(std::string_view prefix) override { store_.erase_prefix(prefix); }
  std::string stats() override { return store_.stats_json(); }
  std::string health() override { return store_.health(); }

 private:
  SqliteStore store_;
};

}  // namespace

PIPELINE_PLUGIN("cache_sqlite", "1.0.0", "Persistent SQLite cache backend") {
  r.add_cache<SqliteCache>("sqlite", "1.0.0", PL_FLAG_CONCURRENT,
                           "One SQLite file in WAL mode, bounded in bytes, checksummed entries");
}
