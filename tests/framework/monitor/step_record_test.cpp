#include <pipeline/monitor/step_record.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

StepRecord sample() {
  StepRecord r;
  r.workflow = "triage";
  r.step = "classify";
  r.run_id = "run-1";
  r.episode = "ep-7";
  r.mode = "hybrid";
  r.variant = "dspy_optimized";
  r.signature_hash = "abc";
  r.provider = "mock";
  r.model = "mock-model";
  r.latency_ms = 12.5;
  r.host_overhead_ms = 0.25;
  r.input_tokens = 40;
  r.output_tokens = 3;
  r.cost_usd = 0.0025;
  r.quality = 0.75;
  r.metric = "exact_match";
  r.success = true;
  r.fallback_hops = 1;
  r.cache_hit = true;
  r.program_id = "opt:v1:abc";
  r.source = "shadow";
  r.unix_ms = 1764756000000;
  return r;
}

TEST(StepRecord, RoundTripsThroughJsonMemberForMember) {
  StepRecord r = sample();
  auto back = StepRecord::from_json(json::parse(json::serialize(r.to_json())));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(json::serialize(back->to_json()), json::serialize(r.to_json()));
}

TEST(StepRecord, ARecordFromBeforeHostOverheadReadsAsZero) {
  json::object o = sample().to_json();
  o.erase("host_overhead_ms");
  auto back = StepRecord::from_json(o);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->host_overhead_ms, 0);
}

TEST(StepRecord, UnscoredRecordHasNullQuality) {
  StepRecord r = sample();
  r.quality.reset();
  EXPECT_TRUE(r.to_json().at("quality").is_null());
  auto back = StepRecord::from_json(r.to_json());
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->quality.has_value());
}

TEST(StepRecord, SqliteShapedValuesAreRead) {
  // A sink reading SQLite columns hands booleans back as 0/1 and whole doubles as integers.
  json::object o = sample().to_json();
  o["success"] = 0;
  o["cache_hit"] = 1;
  o["latency_ms"] = 12;
  o["quality"] = 1;
  auto back = StepRecord::from_json(o);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_FALSE(back->success);
  EXPECT_TRUE(back->cache_hit);
  EXPECT_DOUBLE_EQ(back->latency_ms, 12.0);
  EXPECT_DOUBLE_EQ(*back->quality, 1.0);
}

TEST(StepRecord, MistypedMemberIsAnErrorNamingIt) {
  json::object o = sample().to_json();
  o["input_tokens"] = "many";
  auto back = StepRecord::from_json(o);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("'input_tokens'"), std::string::npos);
}

TEST(StepRecord, RecordWithoutWorkflowOrStepIsRejected) {
  json::object o = sample().to_json();
  o.erase("step");
  EXPECT_FALSE(StepRecord::from_json(o).ok());
  EXPECT_FALSE(StepRecord::from_json(json::value(3)).ok());
}

}  // namespace
}  // namespace pipeline
