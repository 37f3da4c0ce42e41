// The redis backend against a real redis-server: key namespaces, and a server that dies (the
// circuit breaker opens after a few failures, one warning, calls stop reaching the network) and
// comes back (the breaker's probe closes it again).
#include <pipeline/json.hpp>

#include <gtest/gtest.h>

#include "cache_test_support.hpp"
#include "log_capture.hpp"
#include "redis_server.hpp"

namespace pipeline::testing {
namespace {

json::value stats_of(const CacheInstance& c) {
  auto doc = parse_json(c.stats());
  return doc.ok() ? *doc : json::value();
}

class RedisBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServer::available()) GTEST_SKIP() << RedisServer::kSkipMessage;
    ASSERT_TRUE(redis_.start()) << "redis-server did not start";
  }
  std::shared_ptr<CacheInstance> make(const std::string& extra) {
    auto c = host_->create_cache("redis", redis_.config(extra));
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return c.ok() ? *c : nullptr;
  }

  RedisServer redis_;
  std::unique_ptr<PluginHost> host_ = cache_plugin_host();
};

TEST_F(RedisBackend, NamespacesKeepInstancesApart) {
  auto a = make(R"("namespace":"team-a:")");
  auto b = make(R"("namespace":"team-b:")");
  ASSERT_TRUE(a->put("k", "from-a", 0).ok());
  ASSERT_TRUE(b->put("k", "from-b", 0).ok());
  EXPECT_EQ(a->get("k").body, "from-a");
  EXPECT_EQ(b->get("k").body, "from-b");
  ASSERT_TRUE(a->erase_prefix("").ok());
  EXPECT_EQ(a->get("k").status, PL_NOT_FOUND);
  EXPECT_EQ(b->get("k").body, "from-b");
}

TEST_F(RedisBackend, ErasePrefixWalksManyScanPages) {
  auto c = make(R"("namespace":"scan:", "scan_count": 10)");
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(c->put("p:" + std::to_string(i), "v", 0).ok());
  ASSERT_TRUE(c->put("q:keep", "v", 0).ok());
  ASSERT_TRUE(c->erase_prefix("p:").ok());
  for (int i = 0; i < 300; i += 37)
    EXPECT_EQ(c->get("p:" + std::to_string(i)).status, PL_NOT_FOUND);
  EXPECT_EQ(c->get("q:keep").status, PL_OK);
}

TEST_F(RedisBackend, ADeadServerOpensTheBreakerWithOneWarningAndARestartClosesIt) {
  LogCapture logs;
  auto c = make(R"("failure_threshold": 2, "open_ms": 50, "open_max_ms": 200,
                   "connect_timeout_ms": 100, "command_timeout_ms": 100)");
  ASSERT_TRUE(c->put("k", "v", 0).ok());
  ASSERT_EQ(c->get("k").body, "v");

  redis_.kill();
  for (int i = 0; i < 50; ++i) {
    CallResult r = c->get("k");
    EXPECT_EQ(r.status, PL_UNAVAILABLE) << r.error;
  }
  json::value s = stats_of(*c);
  EXPECT_EQ(s.as_object().at("state").as_string(), "down");
  // Most calls never reached the network: the open breaker refused them.
  EXPECT_GT(s.as_object().at("rejected_by_breaker").to_number<int64_t>(), 40);
  Status health = c->health();
  EXPECT_FALSE(health.ok());
  EXPECT_NE(health.message().find("circuit breaker"), std::string::npos) << health.to_string();
  EXPECT_EQ(logs.count(spdlog::level::warn, "redis cache"), 1u) << logs.dump();

  ASSERT_TRUE(redis_.start()) << "redis-server did not restart on port " << redis_.port();
  EXPECT_TRUE(eventually([&] { return c->put("k", "again", 0).ok(); }));
  EXPECT_EQ(c->get("k").body, "again");
  EXPECT_TRUE(c->health().ok());
  EXPECT_EQ(stats_of(*c).as_object().at("breaker").as_string(), "closed");
  EXPECT_EQ(logs.count(spdlog::level::warn, "redis cache"), 1u) << logs.dump();
  EXPECT_EQ(logs.count(spdlog::level::info, "reachable again"), 1u) << logs.dump();
}

TEST_F(RedisBackend, AnUnreachableServerIsUnavailableNotACreationFailure) {
  const int port = free_loopback_port();
  auto c = host_->create_cache("redis", R"({"host":"127.0.0.1","port":)" + std::to_string(port) +
                                            R"(,"connect_timeout_ms":50})");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ((*c)->get("k").status, PL_UNAVAILABLE);
  EXPECT_FALSE((*c)->put("k", "v", 0).ok());
}

TEST_F(RedisBackend, RejectsABadConfig) {
  EXPECT_FALSE(host_->create_cache("redis", R"({"port": 70000})").ok());
  EXPECT_FALSE(host_->create_cache("redis", R"({"namespace": 3})").ok());
}

}  // namespace
}  // namespace pipeline::testing
