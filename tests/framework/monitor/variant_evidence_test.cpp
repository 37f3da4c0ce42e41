// variant_evidence: one query, records split by variant and summarized, filters passed on.
#include <pipeline/monitor/memory_history.hpp>
#include <pipeline/monitor/variant_evidence.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

StepRecord rec(const std::string& variant, double quality, const std::string& sig = "h1") {
  StepRecord r;
  r.workflow = "triage";
  r.step = "classify";
  r.variant = variant;
  r.signature_hash = sig;
  r.quality = quality;
  return r;
}

TEST(VariantEvidence, SplitsByVariantAndSkipsOthers) {
  MemoryHistory h;
  h.add(rec("traditional", 0.4));
  h.add(rec("traditional", 0.6));
  h.add(rec("dspy_optimized", 0.9));
  h.add(rec("something_else", 1.0));
  auto ev = variant_evidence(h, {.workflow = "triage",
                                 .step = "classify",
                                 .variant = "traditional"});  // ignored: both are wanted
  ASSERT_TRUE(ev) << ev.status().to_string();
  EXPECT_EQ(ev->records, 3);
  EXPECT_EQ(ev->traditional.quality_n, 2);
  EXPECT_DOUBLE_EQ(ev->traditional.quality_mean, 0.5);
  EXPECT_EQ(ev->dspy.quality_n, 1);
  EXPECT_DOUBLE_EQ(ev->dspy.quality_mean, 0.9);
}

TEST(VariantEvidence, TheSignatureHashFilterHolds) {
  MemoryHistory h;
  h.add(rec("dspy_optimized", 0.9, "old"));
  h.add(rec("dspy_optimized", 0.2, "new"));
  auto ev =
      variant_evidence(h, {.workflow = "triage", .step = "classify", .signature_hash = "new"});
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->dspy.quality_n, 1);
  EXPECT_DOUBLE_EQ(ev->dspy.quality_mean, 0.2);
  auto none = variant_evidence(h, {.workflow = "other"});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->records, 0);
}

}  // namespace
}  // namespace pipeline
