// The "redis" cache backend: a shared cache on a Redis server, behind a circuit breaker.
//
// Config: {"host": "127.0.0.1", "port": 6379, "password": "", "db": 0, "namespace": "pipeline:",
//          "pool_size": 8, "connect_timeout_ms": 200, "command_timeout_ms": 200,
//          "default_ttl_ms": 0, "failure_threshold": 3, "open_ms": 500, "open_max_ms": 10000,
//          "scan_count": 1000}
// Keys are stored as <namespace><key>; erase_prefix walks SCAN MATCH <namespace><prefix>* and
// UNLINKs each batch, so it never blocks the server the way KEYS would. See docs/config.md.
#include <pipeline/plugin.hpp>
#include "cache_common/config_field.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>

#include "circuit_breaker.hpp"
#include "redis_pool.hpp"

namespace {

namespace json = boost::json;
using pipeline::cache_redis::CircuitBreaker;
using pipeline::cache_redis::RedisFailure;
using pipeline::cache_redis::RedisPool;
using pipeline::cache_redis::RedisReply;
using pipeline::sdk::Error;

struct Config {
  RedisPool::Options pool;
  CircuitBreaker::Options breaker;
  std::string ns = "pipeline:";
  std::int64_t default_ttl_ms = 0;
  std::int64_t scan_count = 1000;
};

std::int64_t int_field(const json::object& o, const char* name, std::int64_t fallback,
                       std::int64_t min) {
  return pipeline::cache_common::int_field(o, name, fallback, min, "redis cache");
}

std::string string_field(const json::object& o, const char* name, std::string fallback) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return fallback;
  if (!v->is_string()) {
    throw Error(PL_INVALID_ARGUMENT, std::string("redis cache: '") + name + "' must be a string");
  }
  return std::string(v->as_string());
}

Config parse(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text.empty() ? std::string_view("{}") : text, ec);
  if (ec || !v.is_object())
    throw Error(PL_INVALID_ARGUMENT, "redis cache: config must be a JSON object");
  const json::object& o = v.as_object();
  static constexpr std::string_view known[] = {"host",
                                               "port",
                                               "password",
                                               "db",
                                               "namespace",
                                               "pool_size",
                                               "connect_timeout_ms",
                                               "command_timeout_ms",
                                               "default_ttl_ms",
                                               "failure_threshold",
                                               "open_ms",
                                               "open_max_ms",
                                               "scan_count"};
  for (const auto& kv : o) {
    if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known)) {
      throw Error(PL_INVALID_ARGUMENT,
                  "redis cache: unknown config key '" + std::string(kv.key()) + "'");
    }
  }
  Config c;
  c.pool.host = string_field(o, "host", c.pool.host);
  c.pool.port = static_cast<int>(int_field(o, "port", c.pool.port, 1));
  if (c.pool.port > 65535) throw Error(PL_INVALID_ARGUMENT, "redis cache: 'port' must be <= 65535");
  c.pool.password = string_field(o, "password", "");
  c.pool.db = static_cast<int>(int_field(o, "db", 0, 0));
  c.pool.size = static_cast<std::size_t>(int_field(o, "pool_size", 8, 1));
  c.pool.connect_timeout = std::chrono::milliseconds(int_field(o, "connect_timeout_ms", 200, 1));
  c.pool.command_timeout = std::chrono::milliseconds(int_field(o, "command_timeout_ms", 200, 1));
  c.ns = string_field(o, "namespace", c.ns);
  c.default_ttl_ms = int_field(o, "default_ttl_ms", 0, 0);
  c.breaker.failure_threshold = static_cast<int>(int_field(o, "failure_threshold", 3, 1));
  c.breaker.open_initial = std::chrono::milliseconds(int_field(o, "open_ms", 500, 1));
  c.breaker.open_max = std::chrono::milliseconds(int_field(o, "open_max_ms", 10000, 1));
  if (c.breaker.open_max < c.breaker.open_initial) c.breaker.open_max = c.breaker.open_initial;
  c.scan_count = int_field(o, "scan_count", 1000, 1);
  return c;
}

// Escapes glob metacharacters so a prefix matches itself literally in SCAN MATCH.
std::string glob_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 4);
  for (char ch : s) {
    if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

class RedisCache : public pipeline::sdk::CacheBackend {
 public:
  RedisCache(const pl_host_api* host, std::string_view config)
      : CacheBackend(host, config),
        config_(parse(config)),
        pool_(config_.pool),
        breaker_(config_.breaker),
        where_(config_.pool.host + ":" + std::to_string(config_.pool.port)) {}

  std::optional<std::string> get(std::string_view key) override {
    RedisReply r = call({"GET", namespaced(key)});
    if (r->type == REDIS_REPLY_STRING) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return std::string(r->str, r->len);
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }

  void put(std::string_view key, std::string_view value, int64_t ttl_ms) override {
    if (ttl_ms <= 0) ttl_ms = config_.default_ttl_ms;
    const std::string k = namespaced(key);
    if (ttl_ms > 0) {
      const std::string ttl = std::to_string(ttl_ms);
      call({"SET", k, value, "PX", ttl});
    } else {
      call({"SET", k, value});
    }
    puts_.fetch_add(1, std::memory_order_relaxed);
  }

  void erase(std::string_view key) override { call({"UNLINK", namespaced(key)}); }

  void erase_prefix(std::string_view prefix) override {
    const std::string pattern = glob_escape(config_.ns) + glob_escape(prefix) + "*";
    const std::string count = std::to_string(config_.scan_count);
    std::string cursor = "0";
    do {
      RedisReply r = call({"SCAN", cursor, "MATCH", pattern, "COUNT", count});
      if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
          r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_ARRAY) {
        throw Error(PL_INTERNAL, "redis cache: unexpected SCAN reply");
      }
      cursor.assign(r->element[0]->str, r->element[0]->len);
      const redisReply* keys = r->element[1];
      if (keys->elements > 0) {
        std::vector<std::string_view> args{"UNLINK"};
        for (size_t i = 0; i < keys->elements; ++i) {
          args.emplace_back(keys->element[i]->str, keys->element[i]->len);
        }
        call(args);
      }
    } while (cursor != "0");
  }

  std::string stats() override {
    json::object o;
    o["backend"] = "redis";
    o["server"] = where_;
    o["namespace"] = config_.ns;
    o["breaker"] = CircuitBreaker::name(breaker_.state());
    o["state"] = breaker_.state() == CircuitBreaker::State::kClosed ? "ok" : "down";
    o["hits"] = hits_.load(std::memory_order_relaxed);
    o["misses"] = misses_.load(std::memory_order_relaxed);
    o["puts"] = puts_.load(std::memory_order_relaxed);
    o["errors"] = errors_.load(std::memory_order_relaxed);
    o["rejected_by_breaker"] = rejected_.load(std::memory_order_relaxed);
    o["breaker_opened"] = breaker_.times_opened();
    o["connections"] = pool_.open_connections();
    return json::serialize(o);
  }

  std::string health() override {
    if (breaker_.state() != CircuitBreaker::State::kClosed) {
      return "circuit breaker " + std::string(CircuitBreaker::name(breaker_.state())) + " (" +
             last_error() + "); next probe in " + std::to_string(breaker_.ms_until_probe()) + " ms";
    }
    try {
      call({"PING"});
    } catch (const Error& e) {
      return e.what();
    }
    return {};
  }

 private:
  std::string namespaced(std::string_view key) const {
    std::string k;
    k.reserve(config_.ns.size() + key.size());
    k += config_.ns;
    k += key;
    return k;
  }

  std::string last_error() {
    std::lock_guard lock(error_mutex_);
    return last_error_;
  }

  // Every command goes through the breaker: while it is open a call costs an atomic load and a
  // throw, never a connect timeout.
  RedisReply call(const std::vector<std::string_view>& args) {
    if (!breaker_.allow()) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      throw Error(PL_UNAVAILABLE, "redis cache " + where_ + " unavailable (circuit breaker open)");
    }
    try {
      RedisReply r = pool_.command(args);
      if (breaker_.on_success() == CircuitBreaker::Transition::kClosed) {
        host().info("redis cache " + where_ + " reachable again; circuit breaker closed");
      }
      return r;
    } catch (const RedisFailure& e) {
      errors_.fetch_add(1, std::memory_order_relaxed);
      {
        std::lock_guard lock(error_mutex_);
        last_error_ = e.what();
      }
      if (e.kind() == RedisFailure::Kind::kPoolBusy) {
        // Says nothing about the server's health; a half-open probe must get its verdict later.
        breaker_.release_probe();
        throw Error(PL_RESOURCE_EXHAUSTED, "redis cache " + where_ + ": " + e.what());
      }
      if (e.kind() == RedisFailure::Kind::kReply) {
        // Redis answered: the server is up, the command was refused.
        breaker_.on_success();
        throw Error(PL_UNAVAILABLE, "redis cache " + where_ + ": " + e.what());
      }
      if (breaker_.on_failure() == CircuitBreaker::Transition::kOpened) {
        pool_.drop_idle();
        host().warn("redis cache " + where_ + " unavailable (" + e.what() +
                    "); circuit breaker open, serving misses until it recovers");
      }
      throw Error(PL_UNAVAILABLE, "redis cache " + where_ + " unavailable: " + e.what());
    }
  }

  Config config_;
  RedisPool pool_;
  CircuitBreaker breaker_;
  std::string where_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, puts_{0}, errors_{0}, rejected_{0};
  std::mutex error_mutex_;
  std::string last_error_;
};

}  // namespace

PIPELINE_PLUGIN("cache_redis", "1.0.0", "Redis cache backend with a circuit breaker") {
  r.add_cache<RedisCache>("redis", "1.0.0", PL_FLAG_CONCURRENT,
                          "Shared cache on Redis: pooled connections, timeouts, circuit breaker");
}
