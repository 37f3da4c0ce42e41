// The contract every cache backend keeps, run against memory, sqlite and redis through their
// .so files and the host's CacheInstance wrappers.
#include <pipeline/json.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "cache_test_support.hpp"
#include "redis_server.hpp"

namespace pipeline::testing {
namespace {

class BackendContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    host_ = cache_plugin_host();
    std::string config;
    if (GetParam() == "memory") {
      config = R"({"max_bytes": 16777216, "shards": 4})";
    } else if (GetParam() == "sqlite") {
      config = R"({"path": ")" + (dir_.path() / "cache.db").string() + R"("})";
    } else {
      if (!RedisServer::available()) GTEST_SKIP() << RedisServer::kSkipMessage;
      ASSERT_TRUE(redis_.start()) << "redis-server did not start";
      config = redis_.config(R"("namespace":"contract:")");
    }
    auto c = host_->create_cache(GetParam(), config);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    cache_ = *c;
  }

  TempDir dir_;
  RedisServer redis_;
  std::unique_ptr<PluginHost> host_;
  std::shared_ptr<CacheInstance> cache_;
};

TEST_P(BackendContract, MissThenHit) {
  EXPECT_EQ(cache_->get("k").status, PL_NOT_FOUND);
  ASSERT_TRUE(cache_->put("k", "value", 0).ok());
  CallResult r = cache_->get("k");
  ASSERT_EQ(r.status, PL_OK) << r.error;
  EXPECT_EQ(r.body, "value");
}

TEST_P(BackendContract, OverwriteReplacesTheValue) {
  ASSERT_TRUE(cache_->put("k", "one", 0).ok());
  ASSERT_TRUE(cache_->put("k", "two", 0).ok());
  EXPECT_EQ(cache_->get("k").body, "two");
}

TEST_P(BackendContract, BinaryAndEmptyValuesRoundTrip) {
  const std::string binary("a\0b\xff\x00z", 6);
  ASSERT_TRUE(cache_->put(std::string("bin\0key", 7), binary, 0).ok());
  ASSERT_TRUE(cache_->put("empty", "", 0).ok());
  EXPECT_EQ(cache_->get(std::string("bin\0key", 7)).body, binary);
  CallResult e = cache_->get("empty");
  EXPECT_EQ(e.status, PL_OK);
  EXPECT_EQ(e.body, "");
}

TEST_P(BackendContract, LargeValueRoundTrips) {
  std::string big(256 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>(i);
  ASSERT_TRUE(cache_->put("big", big, 0).ok());
  EXPECT_EQ(cache_->get("big").body, big);
}

TEST_P(BackendContract, EraseRemovesOneKey) {
  ASSERT_TRUE(cache_->put("a", "1", 0).ok());
  ASSERT_TRUE(cache_->put("b", "2", 0).ok());
  ASSERT_TRUE(cache_->erase("a").ok());
  ASSERT_TRUE(cache_->erase("never-there").ok());
  EXPECT_EQ(cache_->get("a").status, PL_NOT_FOUND);
  EXPECT_EQ(cache_->get("b").status, PL_OK);
}

TEST_P(BackendContract, ErasePrefixRemovesExactlyThePrefix) {
  for (const char* k : {"opt:v1:sigA:1", "opt:v1:sigA:2", "opt:v1:sigAB:1", "opt:v1:sigB:1",
                        "resp:v1:x", "opt:v1:sig*:1"}) {
    ASSERT_TRUE(cache_->put(k, "v", 0).ok());
  }
  ASSERT_TRUE(cache_->erase_prefix("opt:v1:sigA:").ok());
  EXPECT_EQ(cache_->get("opt:v1:sigA:1").status, PL_NOT_FOUND);
  EXPECT_EQ(cache_->get("opt:v1:sigA:2").status, PL_NOT_FOUND);
  EXPECT_EQ(cache_->get("opt:v1:sigAB:1").status, PL_OK);
  EXPECT_EQ(cache_->get("opt:v1:sigB:1").status, PL_OK);
  EXPECT_EQ(cache_->get("resp:v1:x").status, PL_OK);
  // Glob characters in a prefix are literal.
  ASSERT_TRUE(cache_->erase_prefix("opt:v1:sig*").ok());
  EXPECT_EQ(cache_->get("opt:v1:sig*:1").status, PL_NOT_FOUND);
  EXPECT_EQ(cache_->get("opt:v1:sigB:1").status, PL_OK);
  ASSERT_TRUE(cache_->erase_prefix("").ok());
  EXPECT_EQ(cache_->get("resp:v1:x").status, PL_NOT_FOUND);
}

TEST_P(BackendContract, EntriesExpireAfterTheirTtl) {
  ASSERT_TRUE(cache_->put("short", "v", 30).ok());
  ASSERT_TRUE(cache_->put("long", "v", 600000).ok());
  ASSERT_TRUE(cache_->put("forever", "v", 0).ok());
  EXPECT_TRUE(eventually([&] { return cache_->get("short").status == PL_NOT_FOUND; }));
  EXPECT_EQ(cache_->get("long").status, PL_OK);
  EXPECT_EQ(cache_->get("forever").status, PL_OK);
}

TEST_P(BackendContract, StatsAreAJsonObjectAndHealthIsOk) {
  ASSERT_TRUE(cache_->put("k", "v", 0).ok());
  (void)cache_->get("k");
  (void)cache_->get("missing");
  auto doc = parse_json(cache_->stats());
  ASSERT_TRUE(doc.ok()) << doc.status().to_string();
  ASSERT_TRUE(doc->is_object());
  EXPECT_EQ(doc->as_object().at("backend").as_string(), GetParam());
  EXPECT_GE(doc->as_object().at("hits").to_number<int64_t>(), 1);
  EXPECT_GE(doc->as_object().at("misses").to_number<int64_t>(), 1);
  EXPECT_TRUE(cache_->health().ok()) << cache_->health().to_string();
}

TEST_P(BackendContract, ConcurrentCallersSeeConsistentValues) {
  constexpr int kThreads = 8, kOps = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        const std::string key = "k" + std::to_string((t * 7 + i) % 50);
        if (i % 3 == 0) {
          if (!cache_->put(key, "value-of-" + key, 0).ok()) ++wrong;
        } else {
          CallResult r = cache_->get(key);
          if (r.status == PL_OK && r.body != "value-of-" + key) ++wrong;
          if (r.status != PL_OK && r.status != PL_NOT_FOUND) ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_P(BackendContract, UnknownConfigKeysAreRejected) {
  auto c = host_->create_cache(GetParam(), R"({"path": "/tmp/x.db", "no_such_option": 1})");
  EXPECT_FALSE(c.ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendContract, ::testing::Values("memory", "sqlite", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pipeline::testing
