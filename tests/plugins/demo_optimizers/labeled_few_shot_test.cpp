// LabeledFewShot's mechanics through a scripted SearchHost: which examples a seed picks, k and
// sample, no LM call, determinism, cancellation and parameter errors.
#include "../instruction_optimizers/scripted_search_host.hpp"

#include "../../../plugins/optimizer_labeled_few_shot/labeled_few_shot.hpp"

#include <optimizer_common/demo_sets.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace pipeline::optimizer {
namespace {

using testing::ScriptedSearchHost;
using testing::ticket_task;

LabeledFewShotResult run(const Task& task, boost::json::object params = {}) {
  Task t = task;
  t.params = std::move(params);
  ScriptedSearchHost host(t);
  return labeled_few_shot(host, t, LabeledFewShotSettings::parse(t));
}

TEST(LabeledFewShot, PicksSixteenExamplesForTheSeedByDefault) {
  Task task = ticket_task(40, 10, 7);
  LabeledFewShotResult r = run(task);
  // The portable generator makes this the pick of seed 7 on every platform.
  EXPECT_EQ(r.chosen,
            (std::vector<std::size_t>{34, 33, 2, 17, 36, 31, 24, 38, 8, 5, 1, 0, 13, 10, 22, 23}));
  ASSERT_EQ(r.best.demos.size(), 16u);
  for (std::size_t i = 0; i < r.chosen.size(); ++i) {
    // Each demo is the labelled example itself, inputs and outputs, not a trace.
    EXPECT_EQ(r.best.demos[i].as_object(), task.trainset[r.chosen[i]].flat());
    EXPECT_FALSE(r.best.demos[i].as_object().contains("augmented"));
  }
  EXPECT_EQ(std::set<std::size_t>(r.chosen.begin(), r.chosen.end()).size(), 16u);
  EXPECT_EQ(r.best.instructions, "Classify the ticket.");
}

TEST(LabeledFewShot, SampleFalseTakesTheFirstK) {
  LabeledFewShotResult r = run(ticket_task(40, 10), {{"k", 3}, {"sample", false}});
  EXPECT_EQ(r.chosen, (std::vector<std::size_t>{0, 1, 2}));
}

TEST(LabeledFewShot, KAboveTheTrainsetTakesEveryExampleOnce) {
  LabeledFewShotResult r = run(ticket_task(5, 0), {{"k", 16}});
  std::vector<std::size_t> sorted = r.chosen;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(run(ticket_task(0, 0)).best.demos.empty());
  EXPECT_TRUE(run(ticket_task(5, 0), {{"k", 0}}).best.demos.empty());
}

TEST(LabeledFewShot, ReplacesTheDemosAsWrittenAndCallsNoModel) {
  Task task = ticket_task(20, 10);
  task.start.demos.push_back(boost::json::object{{"ticket", "old"}, {"category", "x"}});
  ScriptedSearchHost host(task);
  host.max_lm_calls = 0;  // any LM call would be refused
  LabeledFewShotResult r = labeled_few_shot(host, task, LabeledFewShotSettings::parse(task));
  EXPECT_EQ(r.best.demos.size(), 16u);
  for (const auto& d : r.best.demos) EXPECT_NE(d.as_object().at("ticket").as_string(), "old");
  EXPECT_EQ(host.lm_calls, 0u);
  EXPECT_TRUE(host.log.empty());
  EXPECT_TRUE(r.stopped.empty());
}

TEST(LabeledFewShot, IsDeterministicForASeedAndDiffersAcrossSeeds) {
  EXPECT_EQ(run(ticket_task(40, 0, 3)).chosen, run(ticket_task(40, 0, 3)).chosen);
  EXPECT_NE(run(ticket_task(40, 0, 3)).chosen, run(ticket_task(40, 0, 4)).chosen);
  // The same draw as the labelled demos every bootstrap starts from.
  Task task = ticket_task(40, 0, 3);
  std::vector<std::size_t> order(40);
  for (std::size_t i = 0; i < 40; ++i) order[i] = i;
  EXPECT_EQ(run(task).best.demos, labeled_demos(task, order, 16, true, 3));
}

TEST(LabeledFewShot, CancelledStillReturnsTheChosenDemos) {
  Task task = ticket_task(20, 0);
  ScriptedSearchHost host(task);
  host.cancel_after = 0;
  LabeledFewShotResult r = labeled_few_shot(host, task, LabeledFewShotSettings::parse(task));
  EXPECT_EQ(r.stopped, "cancelled");
  EXPECT_EQ(r.best.demos.size(), 16u);
}

TEST(LabeledFewShot, UnknownOrBadParametersAreClearErrors) {
  Task task = ticket_task(5, 0);
  task.params = {{"kk", 3}};
  try {
    LabeledFewShotSettings::parse(task);
    FAIL() << "an unknown parameter was accepted";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), PL_INVALID_ARGUMENT);
    EXPECT_STREQ(e.what(), "labeled_few_shot: unknown parameter 'kk' (known: k, sample)");
  }
  task.params = {{"k", -1}};
  EXPECT_THROW(LabeledFewShotSettings::parse(task), sdk::Error);
  task.params = {{"sample", "maybe"}};
  EXPECT_THROW(LabeledFewShotSettings::parse(task), sdk::Error);
  task.params = {{"k", "4"}, {"sample", "false"}};  // --param k=4 arrives as text
  LabeledFewShotSettings s = LabeledFewShotSettings::parse(task);
  EXPECT_EQ(s.k, 4u);
  EXPECT_FALSE(s.sample);
}

// docs/performance.md: k=16 on 100 training examples makes no LM call.
TEST(LabeledFewShot, LmCallsOnAHundredExamplesFollowTheCount) {
  Task task = ticket_task(100, 100, 0);
  ScriptedSearchHost host(task);
  LabeledFewShotResult r = labeled_few_shot(host, task, LabeledFewShotSettings::parse(task));
  EXPECT_EQ(r.best.demos.size(), 16u);
  EXPECT_EQ(host.lm_calls, 0u);
  EXPECT_EQ(host.metric_calls, 0u);
}

}  // namespace
}  // namespace pipeline::optimizer
