#include <pipeline/hybrid/step_result_cache.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gtest/gtest.h>

#include <filesystem>

namespace pipeline {
namespace {

std::shared_ptr<CacheManager> memory_cache(PluginHost& host) {
  Status st =
      host.load_file(std::filesystem::path(PIPELINE_PLUGIN_DIR) / "libpipeline_cache_memory.so");
  EXPECT_TRUE(st.ok()) << st.to_string();
  auto cfg = parse_cache_config(json::parse(R"({"levels":[{"backend":"memory"}]})"));
  EXPECT_TRUE(cfg);
  auto cache = CacheManager::create(host, *cfg);
  EXPECT_TRUE(cache) << cache.status().to_string();
  return std::shared_ptr<CacheManager>(std::move(*cache));
}

const json::object kInput = json::parse(R"({"prompt":"classify this","options":{}})").as_object();
const json::object kDoc = json::parse(R"({"output":{"text":"bug"}})").as_object();

TEST(StepResultCache, KeyIsVersionedAndCoversWorkflowStepAndInput) {
  std::string k = StepResultCache::key("triage", "classify", kInput);
  EXPECT_EQ(k.rfind("step:v1:", 0), 0u);
  EXPECT_EQ(k.size(), std::string("step:v1:").size() + 64);
  EXPECT_EQ(k, StepResultCache::key(
                   "triage", "classify",
                   json::parse(R"({"options":{},"prompt":"classify this"})").as_object()))
      << "key order does not matter";
  EXPECT_EQ(StepResultCache::key(
                "t", "c", json::parse(R"({"workflow":{"name":"t","output_dir":"a"}})").as_object()),
            StepResultCache::key(
                "t", "c", json::parse(R"({"workflow":{"name":"t","output_dir":"b"}})").as_object()))
      << "the output folder is not an input";
  EXPECT_NE(k, StepResultCache::key("triage", "classify2", kInput));
  EXPECT_NE(k, StepResultCache::key("triage2", "classify", kInput));
  EXPECT_NE(k, StepResultCache::key("triage", "classify",
                                    json::parse(R"({"prompt":"classify that"})").as_object()));
}

TEST(StepResultCache, KeepsTheLastOutputForTheSameInputs) {
  PluginHost host;
  StepResultCache results(memory_cache(host));
  ASSERT_TRUE(results.available());
  EXPECT_FALSE(results.get("triage", "classify", kInput));
  results.put("triage", "classify", kInput, kDoc);
  auto got = results.get("triage", "classify", kInput);
  ASSERT_TRUE(got);
  EXPECT_EQ(json::value(*got), json::value(kDoc));
  results.put("triage", "classify", kInput,
              json::parse(R"({"output":{"text":"feature"}})").as_object());
  EXPECT_EQ(serialize(json::value(*results.get("triage", "classify", kInput))),
            R"({"output":{"text":"feature"}})");
  EXPECT_FALSE(results.get("triage", "other", kInput));
}

TEST(StepResultCache, ACorruptEntryIsAMiss) {
  PluginHost host;
  auto cache = memory_cache(host);
  StepResultCache results(cache);
  cache->put(StepResultCache::key("w", "s", kInput), "{not json");
  EXPECT_FALSE(results.get("w", "s", kInput));
  cache->put(StepResultCache::key("w", "s", kInput), R"({"no_output":1})");
  EXPECT_FALSE(results.get("w", "s", kInput));
}

TEST(StepResultCache, WithoutACacheEveryGetMisses) {
  StepResultCache results(nullptr);
  EXPECT_FALSE(results.available());
  results.put("w", "s", kInput, kDoc);
  EXPECT_FALSE(results.get("w", "s", kInput));
}

}  // namespace
}  // namespace pipeline
