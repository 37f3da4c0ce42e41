#include "cache_support.hpp"

#include <pipeline/cache/optimization_cache_key.hpp>
#include <pipeline/optimize/optimization_store.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

StoredProgram entry(const std::string& sig, const std::string& optimizer, std::int64_t at) {
  StoredProgram s;
  s.signature_hash = sig;
  s.optimizer = optimizer;
  s.key = OptimizationCacheKey::make(sig, optimizer, json::object{}, "t", "m");
  s.program = json::object{{"self", json::object{{"demos", json::array{}}}}};
  s.report = json::object{{"val_score", 0.5}};
  s.created_unix_ms = at;
  return s;
}

TEST(OptimizationStore, StoresUnderTheKeyAndPointsTheSignaturesLatestAtTheNewest) {
  testing::MemoryCache mc;
  OptimizationStore store(mc.cache);
  ASSERT_TRUE(store.available());
  store.put(entry("sigA", "gepa", 1000));
  store.put(entry("sigA", "mipro_v2", 2000));
  store.put(entry("sigB", "gepa", 3000));

  auto a = store.get(entry("sigA", "gepa", 0).key);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->optimizer, "gepa");
  EXPECT_EQ(a->created_unix_ms, 1000);
  EXPECT_EQ(a->report.at("val_score"), 0.5);

  auto latest = store.latest("sigA");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->optimizer, "mipro_v2");
  EXPECT_EQ(latest->created_unix_ms, 2000);
  EXPECT_EQ(OptimizationStore::latest_key("sigA"), "opt:v1:sigA:latest");
  EXPECT_FALSE(store.latest("sigC"));
}

TEST(OptimizationStore, ErasingASignaturesPrefixDropsItsProgramsAndItsPointer) {
  testing::MemoryCache mc;
  OptimizationStore store(mc.cache);
  store.put(entry("sigA", "gepa", 1000));
  store.put(entry("sigB", "gepa", 1000));
  ASSERT_TRUE(mc.cache->erase_prefix(OptimizationCacheKey::signature_prefix("sigA")).ok());
  EXPECT_FALSE(store.latest("sigA"));
  EXPECT_FALSE(store.get(entry("sigA", "gepa", 0).key));
  EXPECT_TRUE(store.latest("sigB"));
}

TEST(OptimizationStore, ACorruptEntryOrPointerIsAMiss) {
  testing::MemoryCache mc;
  OptimizationStore store(mc.cache);
  auto e = entry("sigA", "gepa", 1000);
  mc.cache->put(e.key, "{not json");
  EXPECT_FALSE(store.get(e.key));
  mc.cache->put(OptimizationStore::latest_key("sigA"), R"({"key": "opt:v1:other:x"})");
  EXPECT_FALSE(store.latest("sigA"));  // a pointer must stay inside its signature
  mc.cache->put(e.key, R"({"key": "x", "program": {}, "created_unix_ms": 1})");
  EXPECT_FALSE(store.get(e.key));  // an entry must be the one asked for
}

TEST(OptimizationStore, WithoutACacheNothingIsStoredOrFound) {
  OptimizationStore store(nullptr);
  EXPECT_FALSE(store.available());
  store.put(entry("sigA", "gepa", 1));
  EXPECT_FALSE(store.latest("sigA"));
}

TEST(OptimizationStore, CreationTimeDefaultsToNow) {
  testing::MemoryCache mc;
  OptimizationStore store(mc.cache);
  store.put(entry("sigA", "gepa", 0));
  auto s = store.latest("sigA");
  ASSERT_TRUE(s);
  EXPECT_GT(s->created_unix_ms, 1700000000000);  // after 2023: a real clock reading
}

}  // namespace
}  // namespace pipeline

namespace pipeline {
namespace {

TEST(OptimizationStore, AFailureIsKeptBesideTheSignaturesProgramsAndCountedWhileItsInputsStay) {
  testing::MemoryCache mc;
  OptimizationStore store(mc.cache);
  EXPECT_EQ(OptimizationStore::failure_key("sigA", "gepa"), "opt:v1:sigA:failed:gepa");
  EXPECT_FALSE(store.failure("sigA", "gepa"));
  store.record_failure(
      "sigA", {.optimizer = "gepa", .fingerprint = "f1", .reason = "boom", .unix_ms = 1000});
  auto f = store.failure("sigA", "gepa");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->reason, "boom");
  EXPECT_EQ(f->count, 1);
  EXPECT_EQ(f->unix_ms, 1000);
  EXPECT_FALSE(store.failure("sigA", "mipro_v2")) << "per optimizer";
  store.record_failure(
      "sigA", {.optimizer = "gepa", .fingerprint = "f1", .reason = "boom again", .unix_ms = 2000});
  EXPECT_EQ(store.failure("sigA", "gepa")->count, 2);
  // New inputs start the count again.
  store.record_failure(
      "sigA", {.optimizer = "gepa", .fingerprint = "f2", .reason = "other", .unix_ms = 3000});
  EXPECT_EQ(store.failure("sigA", "gepa")->count, 1);
  // `pipeline cache clear --prefix opt:v1:sigA:` drops it with the programs.
  ASSERT_TRUE(mc.cache->erase_prefix("opt:v1:sigA:").ok());
  EXPECT_FALSE(store.failure("sigA", "gepa"));
}

TEST(OptimizationStore, ASuccessClearsTheFailure) {
  testing::MemoryCache mc;
  OptimizationStore store(mc.cache);
  store.record_failure("sigA", {.optimizer = "gepa", .fingerprint = "f1", .reason = "boom"});
  ASSERT_TRUE(store.failure("sigA", "gepa"));
  EXPECT_GT(store.failure("sigA", "gepa")->unix_ms, 0) << "0 means now";
  store.clear_failure("sigA", "gepa");
  EXPECT_FALSE(store.failure("sigA", "gepa"));
}

TEST(OptimizationStore, TheRetryDelayStartsAtAQuarterHourAndDoublesUpToADay) {
  OptimizationFailure f{.unix_ms = 0};
  const std::int64_t minute = 60 * 1000;
  f.count = 1;
  EXPECT_EQ(f.retry_unix_ms(), 15 * minute);
  f.count = 2;
  EXPECT_EQ(f.retry_unix_ms(), 30 * minute);
  f.count = 7;
  EXPECT_EQ(f.retry_unix_ms(), 16 * 60 * minute);
  f.count = 8;
  EXPECT_EQ(f.retry_unix_ms(), 24 * 60 * minute);
  f.count = 1000;
  EXPECT_EQ(f.retry_unix_ms(), 24 * 60 * minute);
}

TEST(OptimizationStore, AnUnreadableFailureEntryIsNoFailure) {
  testing::MemoryCache mc;
  OptimizationStore store(mc.cache);
  mc.cache->put(OptimizationStore::failure_key("sigA", "gepa"), "{not json");
  EXPECT_FALSE(store.failure("sigA", "gepa"));
  mc.cache->put(OptimizationStore::failure_key("sigA", "gepa"), R"({"count": "x"})");
  EXPECT_FALSE(store.failure("sigA", "gepa"));
}

}  // namespace
}  // namespace pipeline
