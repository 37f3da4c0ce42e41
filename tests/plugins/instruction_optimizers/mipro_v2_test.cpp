// MIPROv2's mechanics through a scripted SearchHost: DSPy's auto settings, the demo-set seeds,
// the proposal prompt, the trial / full-evaluation schedule, determinism, budgets, cancellation
// and garbage from the prompt model.
#include "scripted_search_host.hpp"

#include "../../../plugins/optimizer_mipro_v2/grounded_proposer.hpp"
#include "../../../plugins/optimizer_mipro_v2/mipro_v2.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace pipeline::optimizer {
namespace {

using testing::ScriptedSearchHost;
using testing::ticket_task;

MiproSettings settings(boost::json::object params = {}) {
  return MiproSettings::parse(params);
}

// Instruction "Proposed instruction 2" is the good one; demos help a little.
double scripted_score(const Candidate& c, const std::string&, std::size_t i) {
  if (c.instructions == "Proposed instruction 2") return 1.0;
  return (i % 4 == 0 || (!c.demos.empty() && i % 4 == 1)) ? 1.0 : 0.0;
}

TEST(MiproV2, AutoLightUsesDspySettings) {
  Task task = ticket_task(60, 120);
  ScriptedSearchHost host(task);
  host.score = scripted_score;
  MiproResult r = mipro_v2(host, task, settings());
  EXPECT_EQ(r.num_trials, 10u);    // int(max(2 * 2 * log2(6), 1.5 * 6))
  EXPECT_EQ(r.valset_size, 100u);  // light samples 100 of the valset
  EXPECT_EQ(r.demo_sets.size(), 6u);
  EXPECT_EQ(r.instructions.size(), 3u);  // n / 2 = 3: the original and 2 proposals
  EXPECT_EQ(r.instructions[0], "Classify the ticket.");
  // 1 default full evaluation + 10 minibatch trials + a full evaluation after trials 5 and 10.
  ASSERT_EQ(r.trials.size(), 13u);
  std::size_t full = 0;
  for (const auto& t : r.trials) full += t.full;
  EXPECT_EQ(full, 3u);
  EXPECT_TRUE(r.trials[6].full);
  EXPECT_TRUE(r.trials[12].full);
  for (const auto& e : host.evaluations)
    EXPECT_TRUE(e.indices.size() == 100 || e.indices.size() == 35) << e.indices.size();
  EXPECT_TRUE(r.stopped.empty());
}

TEST(MiproV2, AutoMediumAndHeavyTrialCounts) {
  EXPECT_EQ(mipro_num_trials(12, false), 18u);
  EXPECT_EQ(mipro_num_trials(18, false), 27u);
  EXPECT_EQ(mipro_num_trials(6, true), 9u);  // zero-shot: max(2 * log2(6), 1.5 * 6)
}

TEST(MiproV2, DemoSetsStartWithDspySpecialSeeds) {
  Task task = ticket_task(30, 60);
  ScriptedSearchHost host(task);
  // Every bootstrap run passes: the unshuffled set holds the first 4 training examples, augmented.
  MiproResult r = mipro_v2(host, task, settings());
  ASSERT_EQ(r.demo_sets.size(), 6u);
  EXPECT_TRUE(r.demo_sets[0].empty());   // zero-shot
  ASSERT_EQ(r.demo_sets[1].size(), 4u);  // labelled only
  for (const auto& d : r.demo_sets[1]) EXPECT_FALSE(d.as_object().contains("augmented"));
  ASSERT_EQ(r.demo_sets[2].size(), 4u);  // unshuffled bootstrap: 4 traces, in trainset order
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& d = r.demo_sets[2][i].as_object();
    EXPECT_TRUE(d.at("augmented").as_bool());
    EXPECT_EQ(d.at("ticket").as_string(), "train ticket " + std::to_string(i));
  }
  for (std::size_t s = 3; s < 6; ++s) {
    // Shuffled bootstraps of 1..4 traces, topped up with labelled demos to max_labeled_demos.
    EXPECT_GE(r.demo_sets[s].size(), 1u);
    EXPECT_LE(r.demo_sets[s].size(), 4u);
    EXPECT_TRUE(r.demo_sets[s][0].as_object().contains("augmented"));
  }
}

TEST(MiproV2, BootstrapKeepsOnlyTracesTheMetricPasses) {
  Task task = ticket_task(30, 60);
  ScriptedSearchHost host(task);
  // The teacher fails on even training examples: the unshuffled set bootstraps 1, 3, 5, 7.
  host.score = [](const Candidate&, const std::string& set, std::size_t i) {
    return set == "train" && i % 2 == 0 ? 0.0 : 1.0;
  };
  MiproResult r = mipro_v2(host, task, settings());
  ASSERT_GE(r.demo_sets.size(), 3u);
  std::vector<std::string> boot;
  for (const auto& d : r.demo_sets[2])
    if (d.as_object().contains("augmented"))
      boot.emplace_back(d.as_object().at("ticket").as_string());
  EXPECT_EQ(boot, (std::vector<std::string>{"train ticket 1", "train ticket 3", "train ticket 5",
                                            "train ticket 7"}));
}

TEST(MiproV2, ProposalPromptCarriesTheAgreedFields) {
  Task task = ticket_task(30, 60);
  ScriptedSearchHost host(task);
  mipro_v2(host, task, settings());
  std::vector<boost::json::object> proposals;
  for (const auto& p : host.predicts)
    if (std::string(p.at("signature").as_string()).ends_with("-> proposed_instruction"))
      proposals.push_back(p);
  ASSERT_EQ(proposals.size(), 2u);
  for (const auto& p : proposals) {
    const auto& in = p.at("inputs").as_object();
    EXPECT_EQ(in.at("basic_instruction").as_string(), "Classify the ticket.");
    EXPECT_TRUE(in.contains("dataset_description"));
    EXPECT_TRUE(in.contains("program_description"));
    EXPECT_DOUBLE_EQ(p.at("temperature").as_double(), 0.5);
    EXPECT_TRUE(p.contains("rollout_id"));
  }
  // Demo set 1 is labelled-only, so its task demos are the bootstrapped ones of set 2 onwards:
  // one "Label: value" line per field, inputs first, blank lines between examples.
  const std::string demos(proposals[0].at("inputs").as_object().at("task_demos").as_string());
  EXPECT_EQ(demos.rfind("Ticket: train ticket 0\nCategory: billing\n\nTicket: train ticket 1\n", 0),
            0u)
      << demos;
  EXPECT_EQ(std::count(demos.begin(), demos.end(), '\n'), 9);  // 3 examples x (2 lines + blank)
}

TEST(MiproV2, TaskDemosOfTheZeroShotSetAreNone) {
  Task task = ticket_task(4, 0);
  std::vector<boost::json::array> sets(2);
  sets[1].push_back(
      boost::json::object{{"ticket", "a\nb"}, {"category", "x"}, {"augmented", true}});
  EXPECT_EQ(task_demos_text(task, sets, 0, 3), "No task demos provided.");
  EXPECT_EQ(task_demos_text(task, sets, 1, 3), "Ticket: a b\nCategory: x\n\n");
}

TEST(MiproV2, FindsTheInstructionThatScoresBest) {
  Task task = ticket_task(40, 120);
  ScriptedSearchHost host(task);
  host.score = scripted_score;
  MiproResult r = mipro_v2(host, task, settings());
  ASSERT_TRUE(r.best_score);
  EXPECT_EQ(r.best.instructions, "Proposed instruction 2");
  EXPECT_DOUBLE_EQ(*r.best_score, 1.0);
}

TEST(MiproV2, IsDeterministicForASeed) {
  Task task = ticket_task(40, 120, 11);
  ScriptedSearchHost a(task), b(task);
  a.score = b.score = scripted_score;
  MiproResult ra = mipro_v2(a, task, settings());
  MiproResult rb = mipro_v2(b, task, settings());
  EXPECT_EQ(a.log, b.log);
  EXPECT_EQ(ra.best.to_json(), rb.best.to_json());
  Task other = ticket_task(40, 120, 12);
  ScriptedSearchHost c(other);
  c.score = scripted_score;
  mipro_v2(c, other, settings());
  EXPECT_NE(a.log, c.log);
}

TEST(MiproV2, GarbageProposalsAreDropped) {
  Task task = ticket_task(30, 60);
  ScriptedSearchHost host(task);
  // The prompt model answers the proposer with nothing usable: no field, then an empty one.
  int n = 0;
  host.predict_reply = [&](const std::string& sig, const boost::json::object&) {
    boost::json::object o;
    if (sig.ends_with("proposed_instruction") && n++ % 2 == 1) o["proposed_instruction"] = "  ";
    return o;
  };
  MiproResult r = mipro_v2(host, task, settings());
  EXPECT_EQ(r.instructions, std::vector<std::string>{"Classify the ticket."});
  EXPECT_TRUE(r.best_score.has_value());
  EXPECT_TRUE(r.stopped.empty());
}

TEST(MiproV2, BudgetStopsTheSearchWithTheBestSoFar) {
  Task task = ticket_task(40, 120);
  for (std::size_t max : {5u, 60u, 200u, 400u}) {
    ScriptedSearchHost host(task);
    host.score = scripted_score;
    host.max_lm_calls = max;
    MiproResult r = mipro_v2(host, task, settings());
    EXPECT_EQ(r.stopped, "budget") << max;
    EXPECT_LE(host.lm_calls, max);
    // The result is the best complete full evaluation, or the program as written.
    double best = -1;
    Candidate want = task.start;
    for (const auto& e : host.evaluations)
      if (e.complete && e.indices.size() == r.valset_size && e.score > best) {
        best = e.score;
        want = e.candidate;
      }
    EXPECT_EQ(r.best.to_json(), want.to_json()) << max;
  }
}

TEST(MiproV2, CancellationReturnsTheBestSoFar) {
  Task task = ticket_task(40, 120);
  ScriptedSearchHost host(task);
  host.score = scripted_score;
  host.cancel_after = 300;  // into the minibatch trials
  MiproResult r = mipro_v2(host, task, settings());
  EXPECT_EQ(r.stopped, "cancelled");
  EXPECT_LE(host.lm_calls, 300u);
  ASSERT_TRUE(r.best_score);
  EXPECT_GE(*r.best_score, host.evaluations.front().score);
}

TEST(MiproV2, ParametersFollowDspyRules) {
  EXPECT_THROW(settings({{"auto", "light"}, {"num_trials", 5}}), sdk::Error);
  EXPECT_THROW(settings({{"num_candidates", 5}}), sdk::Error);  // num_trials required
  EXPECT_THROW(settings({{"auto", "extreme"}}), sdk::Error);
  EXPECT_THROW(settings({{"num_candidate", 5}}), sdk::Error);  // unknown
  MiproSettings s = settings({{"num_candidates", 4}, {"num_trials", 6}, {"minibatch", false}});
  EXPECT_TRUE(s.auto_mode.empty());
  Task task = ticket_task(20, 10);
  ScriptedSearchHost host(task);
  MiproResult r = mipro_v2(host, task, s);
  EXPECT_EQ(r.trials.size(), 7u);  // default + 6 full trials
  for (const auto& t : r.trials) EXPECT_TRUE(t.full);
  // A minibatch larger than the valset is DSPy's ValueError.
  EXPECT_THROW(mipro_v2(host, task, settings({{"num_candidates", 4}, {"num_trials", 6}})),
               sdk::Error);
}

TEST(MiproV2, ZeroShotSearchesInstructionsOnly) {
  Task task = ticket_task(30, 60);
  ScriptedSearchHost host(task);
  MiproResult r =
      mipro_v2(host, task, settings({{"max_bootstrapped_demos", 0}, {"max_labeled_demos", 0}}));
  EXPECT_TRUE(r.demo_sets.empty());
  EXPECT_EQ(r.instructions.size(), 6u);  // zero-shot: n instruction candidates
  EXPECT_TRUE(r.best.demos.empty());
}

// docs/performance.md: the LM calls of auto=light on 100 training and 100 validation examples,
// every call counted (no cache), every bootstrap trace passing.
TEST(MiproV2, LmCallsOnAHundredExamplesFollowTheCount) {
  Task task = ticket_task(100, 100);
  ScriptedSearchHost host(task);
  MiproResult r = mipro_v2(host, task, settings());
  std::size_t shuffled = 0;  // the random sizes of the 3 shuffled bootstraps, one run per trace
  for (std::size_t s = 3; s < 6; ++s)
    for (const auto& d : r.demo_sets[s]) shuffled += d.as_object().contains("augmented");
  const std::size_t bootstrap = 4 + shuffled;
  const std::size_t summary = 1 + 9 + 1;  // first batch, 9 more batches of 10, the summary
  const std::size_t describe = 2;         // program and module, once
  const std::size_t proposals = 2;        // n / 2 = 3 candidates, the first is the original
  const std::size_t evaluation = 100 + 10 * 35 + 2 * 100;
  EXPECT_EQ(host.lm_calls, bootstrap + summary + describe + proposals + evaluation);
  EXPECT_GE(shuffled, 3u);
  EXPECT_LE(shuffled, 12u);
}

}  // namespace
}  // namespace pipeline::optimizer
