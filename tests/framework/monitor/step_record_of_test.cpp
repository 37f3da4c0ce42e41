#include <pipeline/monitor/step_record_of.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

StepOutcome outcome_with(double wall_ms, double calls_ms) {
  StepOutcome o;
  o.name = "classify";
  o.record.mode = "hybrid";
  o.record.variant = "traditional";
  o.record.latency_ms = wall_ms;
  o.record.calls.calls = 2;
  o.record.calls.latency_ms = calls_ms;
  o.record.calls.input_tokens = 30;
  return o;
}

TEST(StepRecordOf, HostOverheadIsTheWallTimeTheCallsDidNotTake) {
  StepRecord r = step_record_of(outcome_with(12.5, 12.0), "triage", "run", "ep", 1000);
  EXPECT_DOUBLE_EQ(r.latency_ms, 12.5);
  EXPECT_DOUBLE_EQ(r.host_overhead_ms, 0.5);
  EXPECT_EQ(r.input_tokens, 30);
  EXPECT_EQ(r.unix_ms, 1000);
}

TEST(StepRecordOf, OverlappingParallelCallsGiveNoNegativeOverhead) {
  // Two 10 ms calls in parallel: 20 ms of call time in 11 ms of wall time.
  StepRecord r = step_record_of(outcome_with(11, 20), "triage", "run", "ep", 1000);
  EXPECT_EQ(r.host_overhead_ms, 0);
}

TEST(StepRecordOf, TheReturnedVariantsOwnFiguresGiveItsOverhead) {
  StepOutcome o = outcome_with(30, 25);  // both variants of a shadow test
  o.record.variant_own = VariantFigures{};
  o.record.variant_own->latency_ms = 10;
  o.record.variant_own->calls.latency_ms = 9.75;
  o.record.variant_own->calls.input_tokens = 12;
  StepRecord r = step_record_of(o, "triage", "run", "ep", 1000);
  EXPECT_DOUBLE_EQ(r.latency_ms, 10);
  EXPECT_DOUBLE_EQ(r.host_overhead_ms, 0.25);
  EXPECT_EQ(r.input_tokens, 12);
}

}  // namespace
}  // namespace pipeline
