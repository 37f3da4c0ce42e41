#include <pipeline/engine/execution_record.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

TEST(ExecutionRecord, SumsTheStepsCallsUnderItsFrame) {
  CallLog log;
  CallFrame frame{
      .run_id = "r", .step = "s", .mode = "dspy_optimized", .variant = "B", .log = &log};
  CallRecord r;
  r.provider = "fast";
  r.model = "m1";
  r.input_tokens = 10;
  r.output_tokens = 4;
  r.cost_usd = 0.5;
  r.attempts = 2;
  log.add(r);
  CallRecord hit;
  hit.cache_hit = true;
  hit.provider = "fast";
  hit.model = "m1";
  log.add(hit);
  ExecutionRecord rec = ExecutionRecord::of(frame, log, 12.5);
  EXPECT_EQ(rec.mode, "dspy_optimized");
  EXPECT_EQ(rec.variant, "B");
  EXPECT_EQ(rec.provider, "fast");
  EXPECT_EQ(rec.model, "m1");
  EXPECT_EQ(rec.calls.calls, 1);
  EXPECT_EQ(rec.calls.cache_hits, 1);
  EXPECT_EQ(rec.calls.attempts, 2);
  EXPECT_DOUBLE_EQ(rec.latency_ms, 12.5);
  EXPECT_TRUE(rec.error_class.empty());
}

TEST(ExecutionRecord, JsonHasEveryFieldTheMonitorAndRouterRead) {
  ExecutionRecord rec;
  rec.provider = "p";
  rec.calls.input_tokens = 3;
  rec.error_class = "timeout";
  json::object o = rec.to_json();
  for (const char* k : {"mode", "variant", "latency_ms", "provider", "model", "llm_calls",
                        "llm_failures", "input_tokens", "output_tokens", "cost_usd", "cache_hits",
                        "attempts", "fallback_hops", "error_class"}) {
    EXPECT_TRUE(o.contains(k)) << k;
  }
  EXPECT_EQ(o.at("mode"), json::value("traditional"));
  EXPECT_EQ(o.at("input_tokens"), json::value(3));
  EXPECT_EQ(o.at("error_class"), json::value("timeout"));
}

TEST(ExecutionRecord, ProgramSourceIsThereOnlyForAStepThatRanOnAProgram) {
  ExecutionRecord rec;
  EXPECT_FALSE(rec.to_json().contains("program_source"));
  rec.mode = "dspy_optimized";
  rec.program_source = "cache";
  EXPECT_EQ(rec.to_json().at("program_source"), json::value("cache"));
}

}  // namespace
}  // namespace pipeline
