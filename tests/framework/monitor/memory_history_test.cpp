// MemoryHistory answers like a sink: filters, oldest first, the newest `limit`, bounded size.
#include <pipeline/monitor/memory_history.hpp>

#include <gtest/gtest.h>

#include "monitor_test_support.hpp"

namespace pipeline::testing {
namespace {

TEST(MemoryHistory, FiltersByWorkflowStepVariantSignatureAndTime) {
  MemoryHistory h;
  h.add(record_of("wf", "a", "traditional", 30));
  h.add(record_of("wf", "a", "dspy_optimized", 10));
  h.add(record_of("wf", "b", "traditional", 20));
  h.add(record_of("other", "a", "traditional", 40));
  StepRecord other_sig = record_of("wf", "a", "traditional", 50);
  other_sig.signature_hash = "sig-b";
  h.add(other_sig);

  auto all = h.query({.workflow = "wf"});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].unix_ms, 10) << "oldest first";
  EXPECT_EQ((*all)[3].unix_ms, 50);

  EXPECT_EQ(h.query({.workflow = "wf", .step = "a"})->size(), 3u);
  EXPECT_EQ(h.query({.workflow = "wf", .step = "a", .signature_hash = "sig-a"})->size(), 2u);
  EXPECT_EQ(h.query({.workflow = "wf", .step = "a", .variant = "dspy_optimized"})->size(), 1u);
  EXPECT_EQ(h.query({.workflow = "wf", .since_unix_ms = 25})->size(), 2u);
}

TEST(MemoryHistory, LimitKeepsTheNewestAndStillAnswersOldestFirst) {
  MemoryHistory h;
  for (int i = 0; i < 10; ++i) h.add(record_of("wf", "s", "traditional", 100 + i));
  auto rows = h.query({.workflow = "wf", .limit = 3});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].unix_ms, 107);
  EXPECT_EQ((*rows)[2].unix_ms, 109);
}

TEST(MemoryHistory, DropsTheOldestPastItsBound) {
  MemoryHistory h(5);
  for (int i = 0; i < 8; ++i) h.add(record_of("wf", "s", "traditional", i));
  EXPECT_EQ(h.size(), 5u);
  EXPECT_EQ(h.query({.workflow = "wf"})->front().unix_ms, 3);
}

}  // namespace
}  // namespace pipeline::testing
