// CacheManager over real backend plugins: read-through with promotion, write-through, TTL per
// level, invalidation by prefix, modes, single flight, errors never cached, and levels that fail
// (Redis killed and restarted, the SQLite file deleted) without failing a single call.
#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/cache/optimization_cache_key.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "cache_test_support.hpp"
#include "log_capture.hpp"
#include "redis_server.hpp"

namespace pipeline::testing {
namespace {

class CacheManagerTest : public ::testing::Test {
 protected:
  std::shared_ptr<CacheInstance> backend(const std::string& name, const std::string& config) {
    auto c = host_->create_cache(name, config);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return c.ok() ? *c : nullptr;
  }
  std::string sqlite_config(const std::string& file = "cache.db") const {
    return R"({"path": ")" + (dir_.path() / file).string() +
           R"(", "check_interval_ms": 0, "retry_interval_ms": 20})";
  }
  std::unique_ptr<CacheManager> from_config(const std::string& text) {
    auto doc = parse_json(text);
    EXPECT_TRUE(doc.ok()) << doc.status().to_string();
    auto config = parse_cache_config(*doc);
    EXPECT_TRUE(config.ok()) << config.status().to_string();
    auto m = CacheManager::create(*host_, *config);
    EXPECT_TRUE(m.ok()) << m.status().to_string();
    return m.ok() ? std::move(*m) : nullptr;
  }
  // A compute function that counts its calls.
  std::function<Result<std::string>()> counted(std::string value) {
    return [this, value = std::move(value)]() -> Result<std::string> {
      ++calls_;
      return value;
    };
  }

  TempDir dir_;
  std::unique_ptr<PluginHost> host_ = cache_plugin_host();
  std::atomic<int> calls_{0};
};

TEST_F(CacheManagerTest, AHitInASlowerLevelIsPromotedToTheFasterOnes) {
  auto memory = backend("memory", "{}");
  auto sqlite = backend("sqlite", sqlite_config());
  CacheManager cache({{"l1", memory, 0}, {"l2", sqlite, 0}});
  ASSERT_TRUE(sqlite->put("k", "from-disk", 0).ok());

  EXPECT_EQ(cache.get("k"), "from-disk");
  EXPECT_EQ(memory->get("k").body, "from-disk") << "promoted into the faster level";
  EXPECT_EQ(cache.get("k"), "from-disk");
  EXPECT_EQ(cache.get("absent"), std::nullopt);

  CacheStats s = cache.stats();
  ASSERT_EQ(s.levels.size(), 2u);
  EXPECT_EQ(s.gets, 3u);
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.levels[0].name, "l1");
  EXPECT_EQ(s.levels[0].backend, "memory");
  EXPECT_EQ(s.levels[0].hits, 1u);
  EXPECT_EQ(s.levels[0].misses, 2u);
  EXPECT_EQ(s.levels[0].promotions, 1u);
  EXPECT_EQ(s.levels[1].hits, 1u);
  EXPECT_EQ(s.levels[1].misses, 1u);
  EXPECT_EQ(s.levels[1].get_count, 2u);
  EXPECT_GT(s.levels[1].get_p50_us, 0.0);
  EXPECT_TRUE(s.to_json().is_object());
}

TEST_F(CacheManagerTest, WritesGoThroughEveryLevelWithThatLevelsTtl) {
  auto memory = backend("memory", "{}");
  auto sqlite = backend("sqlite", sqlite_config());
  CacheManager cache({{"l1", memory, 30}, {"l2", sqlite, 0}});
  cache.put("k", "v");
  EXPECT_EQ(sqlite->get("k").body, "v");
  EXPECT_TRUE(eventually([&] { return memory->get("k").status == PL_NOT_FOUND; }))
      << "the fast level's short TTL expired";
  EXPECT_EQ(sqlite->get("k").body, "v") << "the slow level keeps it";
  EXPECT_EQ(cache.get("k"), "v");
  EXPECT_EQ(memory->get("k").body, "v") << "and the hit is promoted again";
}

TEST_F(CacheManagerTest, GetOrComputeCallsOnceThenServesFromCache) {
  auto cache = from_config(R"({"levels":[{"backend":"memory"},
                                          {"backend":"sqlite","config":)" +
                           sqlite_config() + "}]}");
  ASSERT_TRUE(cache);
  for (int i = 0; i < 3; ++i) {
    auto r = cache->get_or_compute("k", counted("value"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, "value");
  }
  EXPECT_EQ(calls_.load(), 1);
  EXPECT_EQ(cache->stats().computes, 1u);
}

TEST_F(CacheManagerTest, ConcurrentIdenticalMissesMakeOneUnderlyingCall) {
  auto cache = from_config(R"({"levels":[{"backend":"memory"}]})");
  ASSERT_TRUE(cache);
  constexpr int kCallers = 8;
  std::vector<std::thread> threads;
  std::vector<std::string> results(kCallers);
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      auto r = cache->get_or_compute("same", [&]() -> Result<std::string> {
        ++calls_;
        // Hold the call open until every other caller is waiting for it.
        while (cache->stats().waiting < kCallers - 1) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return std::string("answer");
      });
      results[i] = r.ok() ? *r : r.status().to_string();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls_.load(), 1);
  for (const auto& r : results) EXPECT_EQ(r, "answer");
  CacheStats s = cache->stats();
  EXPECT_EQ(s.computes, 1u);
  EXPECT_EQ(s.coalesced, static_cast<std::uint64_t>(kCallers - 1));
}

TEST_F(CacheManagerTest, ErrorsAreNeverCached) {
  auto cache = from_config(R"({"levels":[{"backend":"memory"}]})");
  ASSERT_TRUE(cache);
  auto fail = [&]() -> Result<std::string> {
    ++calls_;
    return unavailable("provider said 503");
  };
  auto r1 = cache->get_or_compute("k", fail);
  EXPECT_FALSE(r1.ok());
  EXPECT_EQ(r1.status().message(), "provider said 503");
  auto r2 = cache->get_or_compute("k", [&]() -> Result<std::string> {
    ++calls_;
    throw std::runtime_error("plugin blew up");
  });
  EXPECT_FALSE(r2.ok());
  EXPECT_EQ(calls_.load(), 2) << "the error was not served from the cache";
  auto r3 = cache->get_or_compute("k", counted("ok"));
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(calls_.load(), 3);
  CacheStats s = cache->stats();
  EXPECT_EQ(s.compute_errors, 2u);
  EXPECT_EQ(s.levels[0].puts, 1u) << "only the success was stored";
}

TEST_F(CacheManagerTest, ModesOnOffReadOnlyWriteOnly) {
  auto memory = backend("memory", "{}");
  CacheManager cache({{"mem", memory, 0}});
  cache.put("k", "stored");

  cache.set_mode(CacheMode::kOff);
  EXPECT_EQ(cache.get("k"), std::nullopt);
  EXPECT_EQ(*cache.get_or_compute("k", counted("fresh-off")), "fresh-off");
  EXPECT_EQ(*cache.get_or_compute("new-off", counted("x")), "x");
  EXPECT_EQ(memory->get("new-off").status, PL_NOT_FOUND) << "off writes nothing";
  EXPECT_EQ(calls_.load(), 2);

  cache.set_mode(CacheMode::kReadOnly);
  EXPECT_EQ(*cache.get_or_compute("k", counted("unused")), "stored");
  EXPECT_EQ(*cache.get_or_compute("new-ro", counted("y")), "y");
  EXPECT_EQ(memory->get("new-ro").status, PL_NOT_FOUND) << "read_only writes nothing";
  cache.put("k", "overwritten?");
  EXPECT_EQ(memory->get("k").body, "stored");
  EXPECT_EQ(calls_.load(), 3);

  cache.set_mode(CacheMode::kWriteOnly);
  EXPECT_EQ(cache.get("k"), std::nullopt) << "write_only never reads";
  EXPECT_EQ(*cache.get_or_compute("k", counted("refreshed")), "refreshed");
  EXPECT_EQ(memory->get("k").body, "refreshed") << "but it writes";
  EXPECT_EQ(calls_.load(), 4);

  cache.set_mode(CacheMode::kOn);
  EXPECT_EQ(*cache.get_or_compute("k", counted("unused")), "refreshed");
  EXPECT_EQ(calls_.load(), 4);
}

TEST_F(CacheManagerTest, ReadOnlyDoesNotPromote) {
  auto memory = backend("memory", "{}");
  auto sqlite = backend("sqlite", sqlite_config());
  CacheManager cache({{"l1", memory, 0}, {"l2", sqlite, 0}}, CacheMode::kReadOnly);
  ASSERT_TRUE(sqlite->put("k", "v", 0).ok());
  EXPECT_EQ(cache.get("k"), "v");
  EXPECT_EQ(memory->get("k").status, PL_NOT_FOUND);
}

TEST_F(CacheManagerTest, InvalidatingASignatureRemovesAllItsOptimizationsFromEveryLevel) {
  auto memory = backend("memory", "{}");
  auto sqlite = backend("sqlite", sqlite_config());
  CacheManager cache({{"l1", memory, 0}, {"l2", sqlite, 0}});
  const json::value params = *parse_json(R"({"max_demos":4})");
  const std::string a1 = OptimizationCacheKey::make("sigA", "bootstrap", params, "t", "m");
  const std::string a2 = OptimizationCacheKey::make("sigA", "mipro", params, "t", "m");
  const std::string b1 = OptimizationCacheKey::make("sigB", "bootstrap", params, "t", "m");
  for (const auto& k : {a1, a2, b1}) cache.put(k, "program");
  ASSERT_TRUE(cache.erase_prefix(OptimizationCacheKey::signature_prefix("sigA")).ok());
  for (auto& level : {memory, sqlite}) {
    EXPECT_EQ(level->get(a1).status, PL_NOT_FOUND);
    EXPECT_EQ(level->get(a2).status, PL_NOT_FOUND);
    EXPECT_EQ(level->get(b1).status, PL_OK);
  }
  ASSERT_TRUE(cache.clear().ok());
  EXPECT_EQ(cache.get(b1), std::nullopt);
}

TEST_F(CacheManagerTest, TheSameCodeRunsOnSqliteOrRedisByConfigAlone) {
  if (!RedisServer::available()) GTEST_SKIP() << RedisServer::kSkipMessage;
  RedisServer redis;
  ASSERT_TRUE(redis.start());
  const std::string configs[] = {
      R"({"levels":[{"backend":"sqlite","config":)" + sqlite_config("switch.db") + "}]}",
      R"({"levels":[{"name":"shared","backend":"redis","config":)" +
          redis.config(R"("namespace":"switch:")") + "}]}"};
  for (const std::string& config : configs) {
    // The workload below is identical for both; only the config text differs.
    for (int pass = 0; pass < 2; ++pass) {
      auto cache = from_config(config);  // a fresh manager per pass: like a rerun of the binary
      ASSERT_TRUE(cache);
      calls_ = 0;
      for (int i = 0; i < 10; ++i) {
        auto r = cache->get_or_compute("req" + std::to_string(i), counted("answer"));
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(*r, "answer");
      }
      EXPECT_EQ(calls_.load(), pass == 0 ? 10 : 0) << config;
      EXPECT_TRUE(cache->stats().levels[0].up);
    }
  }
}

TEST_F(CacheManagerTest, RedisKilledMidRunThenRestarted) {
  if (!RedisServer::available()) GTEST_SKIP() << RedisServer::kSkipMessage;
  RedisServer redis;
  ASSERT_TRUE(redis.start());
  LogCapture logs;
  auto memory = backend("memory", "{}");
  auto sqlite = backend("sqlite", sqlite_config());
  auto redis_level =
      backend("redis", redis.config(R"("namespace":"kill:", "failure_threshold": 2, "open_ms": 30,
                               "open_max_ms": 100, "connect_timeout_ms": 100,
                               "command_timeout_ms": 100)"));
  auto cache = std::make_unique<CacheManager>(
      std::vector<CacheManager::Level>{
          {"memory", memory, 0}, {"redis", redis_level, 0}, {"sqlite", sqlite, 0}},
      CacheMode::kOn, /*skip_ms=*/20);
  auto run = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      auto r = cache->get_or_compute("k" + std::to_string(i), counted("v" + std::to_string(i)));
      ASSERT_TRUE(r.ok()) << r.status().to_string();
      EXPECT_EQ(*r, "v" + std::to_string(i));
    }
  };
  run(0, 20);
  ASSERT_EQ(calls_.load(), 20);

  redis.kill();
  run(0, 40);  // the first 20 still come from memory; the next 20 are computed and written
  EXPECT_EQ(calls_.load(), 40) << "nothing was recomputed because a level died";
  ASSERT_TRUE(memory->erase_prefix("").ok());
  // With memory cleared, sqlite serves what it had; redis is down and skipped.
  run(0, 40);
  EXPECT_EQ(calls_.load(), 40);
  CacheStats s = cache->stats();
  ASSERT_EQ(s.levels.size(), 3u);
  EXPECT_FALSE(s.levels[1].up);
  EXPECT_GT(s.levels[1].errors, 0u);
  EXPECT_FALSE(s.levels[1].health.empty());
  EXPECT_TRUE(s.levels[0].up);
  EXPECT_TRUE(s.levels[2].up);
  EXPECT_EQ(s.to_json().at("levels").at(1).at("state").as_string(), "down");
  EXPECT_EQ(cache->erase_prefix("nothing").code(), StatusCode::kUnavailable)
      << "an administrative call says which level it could not reach";
  EXPECT_EQ(logs.count(spdlog::level::warn, "cache level 'redis'"), 1u) << logs.dump();
  EXPECT_LE(logs.count(spdlog::level::warn), 2u) << "one from the manager, one from the plugin\n"
                                                 << logs.dump();

  ASSERT_TRUE(redis.start());
  EXPECT_TRUE(eventually([&] {
    cache->put("probe", "p");
    return cache->stats().levels[1].up;
  })) << "the redis level recovers";
  const std::uint64_t puts_before = cache->stats().levels[1].puts;
  run(40, 45);
  EXPECT_EQ(cache->stats().levels[1].puts, puts_before + 5) << "redis takes writes again";
  EXPECT_EQ(logs.count(spdlog::level::info, "cache level 'redis' (redis) recovered"), 1u)
      << logs.dump();
}

TEST_F(CacheManagerTest, TheSqliteFileDeletedMidRunNeverFailsACall) {
  LogCapture logs;
  auto cache = from_config(R"({"levels":[{"backend":"sqlite","config":)" + sqlite_config() + "}]}");
  ASSERT_TRUE(cache);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(cache->get_or_compute(std::to_string(i), counted("v")).ok());
  std::filesystem::remove(dir_.path() / "cache.db");
  for (int i = 0; i < 10; ++i) {
    auto r = cache->get_or_compute(std::to_string(i), counted("v"));
    ASSERT_TRUE(r.ok()) << r.status().to_string();
  }
  EXPECT_EQ(calls_.load(), 20) << "the deleted entries are misses";
  EXPECT_EQ(cache->get("3"), "v") << "and the recreated file caches again";
  EXPECT_EQ(logs.count(spdlog::level::warn, "sqlite cache"), 1u) << logs.dump();
}

TEST_F(CacheManagerTest, AnUnknownBackendOrBadConfigIsAClearError) {
  auto config = parse_cache_config(*parse_json(R"({"levels":[{"backend":"nosuch"}]})"));
  ASSERT_TRUE(config.ok());
  auto m = CacheManager::create(*host_, *config);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("nosuch"), std::string::npos) << m.status().to_string();

  for (const char* bad :
       {R"({"mode":"sometimes"})", R"({"levels":{}})", R"({"levels":[{"name":"x"}]})",
        R"({"levels":[{"backend":"memory"},{"backend":"memory"}]})",
        R"({"levels":[{"backend":"memory","ttl_ms":-1}]})", R"({"level":[]})"}) {
    EXPECT_FALSE(parse_cache_config(*parse_json(bad)).ok()) << bad;
  }
}

}  // namespace
}  // namespace pipeline::testing
