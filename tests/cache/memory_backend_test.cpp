// The memory backend's own promises: bounded in bytes, least recently used entries go first.
#include <pipeline/json.hpp>

#include <gtest/gtest.h>

#include "cache_test_support.hpp"

namespace pipeline::testing {
namespace {

int64_t stat_of(const CacheInstance& c, const char* name) {
  auto doc = parse_json(c.stats());
  return doc.ok() ? doc->as_object().at(name).to_number<int64_t>() : -1;
}

TEST(MemoryBackend, StaysWithinItsByteBudgetAndEvictsLeastRecentlyUsed) {
  auto host = cache_plugin_host();
  // One shard so the LRU order is global and the test can predict it.
  auto c = host->create_cache("memory", R"({"max_bytes": 20000, "shards": 1})");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  auto& cache = **c;
  const std::string value(1000, 'v');
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(cache.put("k" + std::to_string(i), value, 0).ok());
  ASSERT_EQ(cache.get("k0").status, PL_OK);  // k0 becomes the most recently used
  for (int i = 15; i < 30; ++i) ASSERT_TRUE(cache.put("k" + std::to_string(i), value, 0).ok());
  EXPECT_LE(stat_of(cache, "bytes"), 20000);
  EXPECT_GT(stat_of(cache, "evictions"), 0);
  EXPECT_EQ(cache.get("k0").status, PL_OK);
  EXPECT_EQ(cache.get("k1").status, PL_NOT_FOUND);
  EXPECT_EQ(cache.get("k29").status, PL_OK);
}

TEST(MemoryBackend, AValueLargerThanAShardIsNotCachedButIsNotAnError) {
  auto host = cache_plugin_host();
  auto c = host->create_cache("memory", R"({"max_bytes": 4096, "shards": 2})");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE((*c)->put("big", std::string(5000, 'x'), 0).ok());
  EXPECT_EQ((*c)->get("big").status, PL_NOT_FOUND);
  EXPECT_EQ(stat_of(**c, "rejected"), 1);
}

TEST(MemoryBackend, DefaultTtlAppliesWhenThePutHasNone) {
  auto host = cache_plugin_host();
  auto c = host->create_cache("memory", R"({"default_ttl_ms": 20})");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->put("k", "v", 0).ok());
  EXPECT_TRUE(eventually([&] { return (*c)->get("k").status == PL_NOT_FOUND; }));
}

TEST(MemoryBackend, RejectsABadConfig) {
  auto host = cache_plugin_host();
  EXPECT_FALSE(host->create_cache("memory", R"({"max_bytes": "big"})").ok());
  EXPECT_FALSE(host->create_cache("memory", R"({"shards": 0})").ok());
  EXPECT_FALSE(host->create_cache("memory", R"([1,2])").ok());
}

}  // namespace
}  // namespace pipeline::testing
