// BootstrapFewShotWithRandomSearch's mechanics through a scripted SearchHost: the candidate list
// (DSPy's three special seeds first, then shuffled bootstraps of random sizes), each scored on
// the valset, the first best kept, stop_at_score, metric_threshold and max_rounds reaching the
// bootstraps, max_errors per bootstrap and per evaluation, budget and cancel stops with the best
// so far, determinism, parameter errors, and the LM calls of docs/performance.md.
#include "../instruction_optimizers/scripted_search_host.hpp"

#include "../../../plugins/optimizer_bootstrap_random_search/bootstrap_random_search.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace pipeline::optimizer {
namespace {

using testing::ScriptedSearchHost;
using testing::ticket_task;

RandomSearchSettings settings(const Task& task, boost::json::object params = {}) {
  Task t = task;
  t.params = std::move(params);
  return RandomSearchSettings::parse(t);
}

std::size_t augmented(const Candidate& c) {
  std::size_t n = 0;
  for (const auto& d : c.demos) n += d.as_object().contains("augmented");
  return n;
}

// Bootstrap runs always pass; on the valset a candidate scores (its traces) / 4: 5 of the 20
// validation examples right per trace.
double by_traces(const Candidate& c, const std::string& set, std::size_t i) {
  if (set == "train") return 1.0;
  return i < 5 * augmented(c) ? 1.0 : 0.0;
}

TEST(BootstrapRandomSearch, CandidatesAreDspysSpecialSeedsThenShuffledBootstraps) {
  Task task = ticket_task(30, 20, 7);
  ScriptedSearchHost host(task);
  RandomSearchResult r = bootstrap_random_search(host, task, settings(task));
  ASSERT_EQ(r.candidates.size(), 19u);  // num_candidate_programs 16 + the 3 special seeds
  for (std::size_t k = 0; k < r.candidates.size(); ++k)
    EXPECT_EQ(r.candidates[k].seed, static_cast<std::int64_t>(k) - 3);
  const auto& zero = r.candidates[0];
  EXPECT_TRUE(zero.program.demos.empty());
  EXPECT_EQ(zero.program.instructions, "Classify the ticket.");
  const auto& labelled = r.candidates[1];
  EXPECT_EQ(labelled.program.demos.size(), 16u);
  EXPECT_EQ(augmented(labelled.program), 0u);
  const auto& unshuffled = r.candidates[2];
  EXPECT_EQ(unshuffled.max_bootstrapped_demos, 4u);
  EXPECT_EQ(unshuffled.bootstrapped, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(unshuffled.program.demos.size(), 16u);  // 4 traces + 12 labelled
  // Shuffled bootstraps: sizes drawn from 1..4 (pinned: the portable generator gives these for
  // task seed 7 everywhere), each with as many traces (every run passes), in shuffled order.
  std::vector<std::size_t> sizes;
  for (std::size_t k = 3; k < 19; ++k) {
    const auto& c = r.candidates[k];
    sizes.push_back(c.max_bootstrapped_demos);
    EXPECT_EQ(c.bootstrapped.size(), c.max_bootstrapped_demos);
    EXPECT_EQ(augmented(c.program), c.max_bootstrapped_demos);
    EXPECT_EQ(c.program.demos.size(), 16u);
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 2, 4, 2, 4, 1, 1, 3, 2, 4, 4, 4, 3, 4, 2, 2}));
  // The shuffled copies trace other examples than the first ones of the trainset.
  bool reordered = false;
  for (std::size_t k = 3; k < 19; ++k)
    for (std::size_t j = 0; j < r.candidates[k].bootstrapped.size(); ++j)
      reordered = reordered || r.candidates[k].bootstrapped[j] != j;
  EXPECT_TRUE(reordered);
  // Every candidate is scored once on the whole validation set, in seed order.
  ASSERT_EQ(host.evaluations.size(), 19u);
  for (std::size_t k = 0; k < 19; ++k) {
    EXPECT_EQ(host.evaluations[k].set, "val");
    EXPECT_EQ(host.evaluations[k].indices.size(), 20u);
    EXPECT_EQ(host.evaluations[k].candidate.to_json(), r.candidates[k].program.to_json());
    EXPECT_TRUE(r.candidates[k].score.has_value());
  }
  EXPECT_TRUE(r.stopped.empty());
}

TEST(BootstrapRandomSearch, TheFirstCandidateWithTheBestScoreWins) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = by_traces;
  RandomSearchResult r = bootstrap_random_search(host, task, settings(task));
  // Seed -1 bootstraps 4 traces: 1.0; later seeds with 4 traces tie and do not replace it.
  ASSERT_TRUE(r.best_score);
  EXPECT_DOUBLE_EQ(*r.best_score, 1.0);
  EXPECT_EQ(r.best_seed, -1);
  EXPECT_EQ(r.best.to_json(), r.candidates[2].program.to_json());
  EXPECT_DOUBLE_EQ(*r.candidates[0].score, 0.0);
  EXPECT_DOUBLE_EQ(*r.candidates[1].score, 0.0);
}

TEST(BootstrapRandomSearch, StopAtScoreEndsTheSearch) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = by_traces;
  RandomSearchResult r =
      bootstrap_random_search(host, task, settings(task, {{"stop_at_score", 1.0}}));
  EXPECT_EQ(r.stopped, "stop_at_score");
  EXPECT_EQ(r.candidates.size(), 3u);
  EXPECT_EQ(host.evaluations.size(), 3u);
  EXPECT_EQ(r.best_seed, -1);
  // A score reached by the zero-shot program stops at once.
  ScriptedSearchHost easy(task);
  r = bootstrap_random_search(easy, task, settings(task, {{"stop_at_score", 0.5}}));
  EXPECT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(easy.lm_calls, 20u);
}

TEST(BootstrapRandomSearch, WithoutAValsetTheTrainsetScores) {
  Task task = ticket_task(30, 0);
  ScriptedSearchHost host(task);
  bootstrap_random_search(host, task, settings(task, {{"num_candidate_programs", 1}}));
  ASSERT_EQ(host.evaluations.size(), 4u);
  for (const auto& e : host.evaluations) {
    EXPECT_EQ(e.set, "train");
    EXPECT_EQ(e.indices.size(), 30u);
  }
}

TEST(BootstrapRandomSearch, NoExamplesToScoreOnIsAClearError) {
  Task task = ticket_task(0, 0);
  ScriptedSearchHost host(task);
  try {
    bootstrap_random_search(host, task, settings(task));
    FAIL() << "a search with nothing to score on ran";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), PL_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("nothing to score"), std::string::npos) << e.what();
  }
  EXPECT_EQ(host.lm_calls, 0u);
}

TEST(BootstrapRandomSearch, LabeledSampleFalseGivesSeedMinusTwoTheFirstRows) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  RandomSearchResult r = bootstrap_random_search(
      host, task, settings(task, {{"labeled_sample", false}, {"num_candidate_programs", 0}}));
  ASSERT_EQ(r.candidates.size(), 3u);
  const auto& demos = r.candidates[1].program.demos;
  ASSERT_EQ(demos.size(), 16u);
  for (std::size_t i = 0; i < 16; ++i)
    EXPECT_EQ(demos[i].as_object(), task.trainset[i].flat()) << i;
}

TEST(BootstrapRandomSearch, MetricThresholdAndMaxRoundsReachEveryBootstrap) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.graded = true;
  // Training example i scores (i % 10) / 10 on the first round and 1 on later rounds.
  host.score = [&](const Candidate&, const std::string& set, std::size_t i) {
    if (set != "train") return 1.0;
    return host.running.rollout_id ? 1.0 : static_cast<double>(i % 10) / 10.0;
  };
  RandomSearchResult r = bootstrap_random_search(
      host, task, settings(task, {{"metric_threshold", 0.75}, {"num_candidate_programs", 2}}));
  EXPECT_EQ(r.candidates[2].bootstrapped, (std::vector<std::size_t>{8, 9, 18, 19}));
  ScriptedSearchHost rounds(task);
  rounds.graded = true;
  rounds.score = [&](const Candidate&, const std::string& set, std::size_t i) {
    if (set != "train") return 1.0;
    return rounds.running.rollout_id ? 1.0 : static_cast<double>(i % 10) / 10.0;
  };
  r = bootstrap_random_search(
      rounds, task,
      settings(task,
               {{"metric_threshold", 0.75}, {"max_rounds", 2}, {"num_candidate_programs", 2}}));
  // Round 2 (temperature 1, rollout 1) passes every example: the first four are traced.
  EXPECT_EQ(r.candidates[2].bootstrapped, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_NE(std::find(rounds.log.begin(), rounds.log.end(),
                      "run train:0 Classify the ticket. t=1.000000 r=1"),
            rounds.log.end());
}

TEST(BootstrapRandomSearch, MaxErrorsCountsPerBootstrapAndPerEvaluation) {
  Task task = ticket_task(30, 20);
  // Two unparsed training replies per bootstrap stay under max_errors 3 (a fresh count per seed,
  // as DSPy's new BootstrapFewShot per candidate), though the search sees 2 x 17 of them.
  ScriptedSearchHost host(task);
  host.parse_error = [](const std::string& set, std::size_t i) {
    return set == "train" && i < 2 ? std::string("unparsed") : std::string();
  };
  RandomSearchResult r = bootstrap_random_search(host, task, settings(task, {{"max_errors", 3}}));
  EXPECT_EQ(r.candidates.size(), 19u);
  // On the valset: max_errors failed examples of one candidate fail the optimization.
  ScriptedSearchHost val(task);
  val.parse_error = [](const std::string& set, std::size_t i) {
    return set == "val" && i < 3 ? std::string("no [[ ## category ## ]]") : std::string();
  };
  try {
    bootstrap_random_search(val, task, settings(task, {{"max_errors", 3}}));
    FAIL() << "3 failed validation examples were tolerated with max_errors 3";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), PL_FAILED_PRECONDITION);
    EXPECT_NE(std::string(e.what()).find("seed -3 (zero-shot)"), std::string::npos) << e.what();
  }
  ScriptedSearchHost fewer(task);
  fewer.parse_error = val.parse_error;
  r = bootstrap_random_search(fewer, task, settings(task, {{"max_errors", 4}}));
  EXPECT_DOUBLE_EQ(*r.candidates[0].score, 17.0 / 20.0);  // a failed example scores 0
}

TEST(BootstrapRandomSearch, ABudgetStopReturnsTheBestScoredSoFar) {
  Task task = ticket_task(30, 20);
  for (std::size_t max : {0u, 10u, 30u, 45u, 70u, 150u}) {
    ScriptedSearchHost host(task);
    host.score = by_traces;
    host.max_lm_calls = max;
    RandomSearchResult r = bootstrap_random_search(host, task, settings(task));
    EXPECT_EQ(r.stopped, "budget") << max;
    EXPECT_LE(host.lm_calls, max);
    // The best complete evaluation, the first on ties; the program as written before any.
    std::optional<double> best;
    Candidate want = task.start;
    for (const auto& e : host.evaluations)
      if (e.complete && (!best || e.score > *best)) {
        best = e.score;
        want = e.candidate;
      }
    EXPECT_EQ(r.best.to_json(), want.to_json()) << max;
    EXPECT_EQ(r.best_score, best) << max;
    for (std::size_t k = 0; k + 1 < r.candidates.size(); ++k)
      EXPECT_TRUE(r.candidates[k].score.has_value()) << max;
  }
}

TEST(BootstrapRandomSearch, ACancelReturnsTheBestScoredSoFar) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = by_traces;
  host.cancel_after = 50;  // -3 and -2 scored (40), -1 bootstrapped (4), its evaluation cut
  RandomSearchResult r = bootstrap_random_search(host, task, settings(task));
  EXPECT_EQ(r.stopped, "cancelled");
  EXPECT_EQ(host.lm_calls, 50u);
  ASSERT_EQ(r.candidates.size(), 3u);
  EXPECT_FALSE(r.candidates[2].score.has_value());
  EXPECT_EQ(r.best_seed, -3);
  EXPECT_TRUE(r.best.demos.empty());
}

TEST(BootstrapRandomSearch, IsDeterministicForASeedAndDiffersAcrossSeeds) {
  auto search = [](std::uint64_t seed) {
    Task task = ticket_task(30, 20, seed);
    ScriptedSearchHost host(task);
    host.score = by_traces;
    RandomSearchResult r = bootstrap_random_search(host, task, settings(task));
    std::vector<std::string> trace = host.log;
    trace.push_back(boost::json::serialize(r.best.to_json()));
    return trace;
  };
  EXPECT_EQ(search(3), search(3));
  EXPECT_NE(search(3), search(4));
}

TEST(BootstrapRandomSearch, NoBootstrappingAskedMakesLabelledOnlyCandidates) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  RandomSearchResult r = bootstrap_random_search(
      host, task, settings(task, {{"max_bootstrapped_demos", 0}, {"num_candidate_programs", 3}}));
  ASSERT_EQ(r.candidates.size(), 6u);
  for (const auto& c : r.candidates) EXPECT_EQ(augmented(c.program), 0u);
  EXPECT_EQ(host.lm_calls, 6u * 20);  // evaluations only
}

TEST(BootstrapRandomSearch, UnknownOrBadParametersAreClearErrors) {
  Task task = ticket_task(5, 5);
  try {
    settings(task, {{"num_candidates", 4}});
    FAIL() << "an unknown parameter was accepted";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), PL_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find(
                  "bootstrap_random_search: unknown parameter 'num_candidates' (known: "),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("num_candidate_programs"), std::string::npos);
  }
  try {
    settings(task, {{"stop_at_score", 90}});  // DSPy's percentage
    FAIL() << "a percentage stop_at_score was accepted";
  } catch (const sdk::Error& e) {
    EXPECT_NE(std::string(e.what()).find("its 90 is 0.9 here"), std::string::npos) << e.what();
  }
  EXPECT_THROW(settings(task, {{"stop_at_score", -0.5}}), sdk::Error);
  EXPECT_THROW(settings(task, {{"num_candidate_programs", -1}}), sdk::Error);
  RandomSearchSettings s = settings(task);
  EXPECT_EQ(s.num_candidate_programs, 16u);  // DSPy's defaults
  EXPECT_EQ(s.demos.max_bootstrapped_demos, 4u);
  EXPECT_EQ(s.demos.max_labeled_demos, 16u);
  EXPECT_FALSE(s.stop_at_score.has_value());
}

// docs/performance.md: default parameters on 100 training and 100 validation examples, every
// call counted (no cache), every bootstrap trace passing: 19 evaluations of 100, 4 runs for the
// unshuffled bootstrap and one per trace of each shuffled one.
TEST(BootstrapRandomSearch, LmCallsOnAHundredExamplesFollowTheCount) {
  Task task = ticket_task(100, 100, 0);
  ScriptedSearchHost host(task);
  RandomSearchResult r = bootstrap_random_search(host, task, settings(task));
  std::size_t shuffled = 0;
  for (const auto& c : r.candidates)
    if (c.seed >= 0) shuffled += c.max_bootstrapped_demos;
  EXPECT_EQ(host.lm_calls, 19u * 100 + 4 + shuffled);
  EXPECT_EQ(shuffled, 41u);  // task seed 0: the figure in docs/performance.md
}

}  // namespace
}  // namespace pipeline::optimizer
