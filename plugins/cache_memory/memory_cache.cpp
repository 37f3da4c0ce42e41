// The "memory" cache backend: an in-process sharded LRU, bounded in bytes, with TTL.
//
// Config (all optional): {"max_bytes": 67108864, "shards": 16, "default_ttl_ms": 0}
// It is the fastest level and is lost at exit; put it first in the cache's level list.
#include <pipeline/plugin.hpp>
#include "cache_common/config_field.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <string>

#include "sharded_lru.hpp"

namespace {

namespace json = boost::json;
using pipeline::sdk::Error;

std::int64_t int_field(const json::object& o, const char* name, std::int64_t fallback,
                       std::int64_t min) {
  return pipeline::cache_common::int_field(o, name, fallback, min, "memory cache");
}

pipeline::cache_memory::ShardedLru::Options parse(std::string_view config, std::int64_t& ttl) {
  json::object o;
  if (!config.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(config, ec);
    if (ec || !v.is_object()) {
      throw Error(PL_INVALID_ARGUMENT, "memory cache: config must be a JSON object");
    }
    o = v.as_object();
  }
  for (const auto& kv : o) {
    if (kv.key() != "max_bytes" && kv.key() != "shards" && kv.key() != "default_ttl_ms") {
      throw Error(PL_INVALID_ARGUMENT,
                  "memory cache: unknown config key '" + std::string(kv.key()) + "'");
    }
  }
  pipeline::cache_memory::ShardedLru::Options opt;
  opt.max_bytes = static_cast<std::size_t>(int_field(o, "max_bytes", 64ll << 20, 1));
  opt.shards = static_cast<std::size_t>(int_field(o, "shards", 16, 1));
  if (opt.shards > 1024) throw Error(PL_INVALID_ARGUMENT, "memory cache: 'shards' must be <= 1024");
  ttl = int_field(o, "default_ttl_ms", 0, 0);
  return opt;
}

class MemoryCache : public pipeline::sdk::CacheBackend {
 public:
  MemoryCache(const pl_host_api* host, std::string_view config)
      : CacheBackend(host, config), lru_(parse(config, default_ttl_ms_)) {}

  std::optional<std::string> get(std::string_view key) override {
    std::string out;
    if (!lru_.get(key, out)) return std::nullopt;
    return out;
  }

  void put(std::string_view key, std::string_view value, int64_t ttl_ms) override {
    if (ttl_ms <= 0) ttl_ms = default_ttl_ms_;
    // An entry larger than a shard is simply not cached: the level stays correct, only colder.
    lru_.put(key, value, std::chrono::milliseconds(ttl_ms));
  }

  void erase(std::string_view key) override { lru_.erase(key); }
  void erase_prefix(std::string_view prefix) override { lru_.erase_prefix(prefix); }

  std::string stats() override {
    auto c = lru_.counters();
    json::object o;
    o["backend"] = "memory";
    o["entries"] = c.entries;
    o["bytes"] = c.bytes;
    o["max_bytes"] = lru_.max_bytes();
    o["hits"] = c.hits;
    o["misses"] = c.misses;
    o["puts"] = c.puts;
    o["evictions"] = c.evictions;
    o["expirations"] = c.expirations;
    o["rejected"] = c.rejected;
    return json::serialize(o);
  }

 private:
  std::int64_t default_ttl_ms_ = 0;
  pipeline::cache_memory::ShardedLru lru_;
};

}  // namespace

PIPELINE_PLUGIN("cache_memory", "1.0.0", "In-process sharded LRU cache backend") {
  r.add_cache<MemoryCache>("memory", "1.0.0", PL_FLAG_CONCURRENT,
                           "In-process sharded LRU bounded in bytes, with TTL");
}
