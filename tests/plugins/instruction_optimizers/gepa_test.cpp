// GEPA's mechanics through a scripted SearchHost: DSPy's auto budget, max_metric_calls never
// exceeded, strict minibatch acceptance, the agreed reflection prompt, gepa's reply rule,
// garbage replies, determinism and cancellation.
#include "scripted_search_host.hpp"

#include "../../../plugins/optimizer_gepa/gepa.hpp"
#include "../../../plugins/optimizer_gepa/reflection_prompt.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace pipeline::optimizer {
namespace {

using testing::ScriptedSearchHost;
using testing::ticket_task;

GepaSettings settings(const Task& task, boost::json::object params) {
  return GepaSettings::parse(params, task);
}

// "Reflected instruction k" answers examples i with i % 5 < k (capped), the seed only i % 5 == 0.
double reflected_score(const Candidate& c, const std::string&, std::size_t i) {
  const std::string prefix = "Reflected instruction ";
  std::size_t k = 1;
  if (c.instructions.rfind(prefix, 0) == 0)
    k = std::stoul(c.instructions.substr(prefix.size())) + 1;
  return i % 5 < std::min<std::size_t>(k, 4) ? 1.0 : 0.0;
}

TEST(Gepa, AutoBudgetMatchesDspy) {
  // V + 5n + N * 35 + ((N + 1) // 5 + 1 + (N < 5)) * V with N = int(max(4 log2 n, 1.5 n)).
  EXPECT_EQ(gepa_auto_budget(6, 100), 100u + 30 + 10 * 35 + 3 * 100);
  EXPECT_EQ(gepa_auto_budget(12, 300), 300u + 60 + 18 * 35 + 4 * 300);
  EXPECT_EQ(gepa_auto_budget(18, 1000), 1000u + 90 + 27 * 35 + 6 * 1000);
  Task task = ticket_task(30, 20);
  EXPECT_EQ(settings(task, {}).max_metric_calls, gepa_auto_budget(6, 20));
  EXPECT_EQ(settings(task, {{"max_full_evals", 2}}).max_metric_calls, 2u * 50);
}

TEST(Gepa, NeverExceedsMaxMetricCalls) {
  Task task = ticket_task(30, 20);
  for (std::size_t max : {10u, 20u, 23u, 37u, 50u, 101u, 257u}) {
    ScriptedSearchHost host(task);
    host.score = reflected_score;
    GepaResult r = gepa(host, task, settings(task, {{"max_metric_calls", max}}));
    EXPECT_LE(r.metric_calls, max);
    EXPECT_EQ(r.metric_calls, host.metric_calls) << max;
    EXPECT_EQ(r.stopped, "max_metric_calls") << max;
    // One more call would not have fitted: the next step needed a minibatch or the valset.
    EXPECT_GT(r.metric_calls + std::max<std::size_t>(20, 3), max) << max;
  }
  ScriptedSearchHost host(task);
  GepaResult r = gepa(host, task, settings(task, {{"max_metric_calls", 10}}));
  EXPECT_EQ(r.metric_calls, 0u);  // the seed's 20-example evaluation does not fit
  EXPECT_EQ(r.best.to_json(), task.start.to_json());
}

TEST(Gepa, AcceptsAChildOnlyWhenItsMinibatchScoreIsStrictlyBetter) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = reflected_score;
  // Every even reflection rewrites the instruction into one no better than the seed's.
  int n = 0;
  host.chat_reply = [&](const std::string&) {
    ++n;
    return n % 2 == 0 ? "```\nWorse instruction " + std::to_string(n) + "\n```"
                      : "```\nReflected instruction " + std::to_string(n) + "\n```";
  };
  GepaResult r = gepa(host, task, settings(task, {{"max_metric_calls", 400}}));
  std::size_t accepted = 0;
  for (const auto& it : r.iterations) {
    if (it.outcome == "accepted") {
      ++accepted;
      EXPECT_GT(it.child_sum, it.parent_sum);
    }
    if (it.outcome == "rejected") {
      EXPECT_LE(it.child_sum, it.parent_sum);
    }
  }
  EXPECT_GT(accepted, 0u);
  EXPECT_EQ(r.pool.size(), accepted + 1);
  for (std::size_t i = 1; i < r.pool.size(); ++i) {
    EXPECT_EQ(r.pool[i].parents.size(), 1u);
    EXPECT_EQ(r.pool[i].program.instructions.rfind("Reflected instruction ", 0), 0u);
  }
  // Each accepted child was evaluated on the whole valset.
  std::size_t full = 0;
  for (const auto& e : host.evaluations) full += e.set == "val" && e.indices.size() == 20;
  EXPECT_EQ(full, r.pool.size());
}

TEST(Gepa, ReflectionPromptFollowsTheAgreedFormat) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = reflected_score;
  gepa(host, task, settings(task, {{"max_metric_calls", 30}}));
  ASSERT_FALSE(host.prompts.empty());
  const std::string& p = host.prompts.front();
  const std::string head =
      "I provided an assistant with the following instructions to perform a task for me:\n```\n"
      "Classify the ticket.\n```\n\nThe following are examples of different task inputs provided "
      "to the assistant along with the assistant's response for each of them, and some feedback "
      "on how the assistant's response could be better:\n```\n# Example 1\n## Inputs\n### ticket\n"
      "train ticket ";
  EXPECT_EQ(p.rfind(head, 0), 0u) << p;
  EXPECT_NE(p.find("## Generated Outputs\n### category\n"), std::string::npos);
  EXPECT_NE(p.find("## Feedback\nexpected '"), std::string::npos);
  EXPECT_NE(p.find("# Example 3\n"), std::string::npos);  // reflection_minibatch_size 3
  const std::string tail = "Provide the new instructions within ``` blocks.";
  EXPECT_EQ(p.substr(p.size() - tail.size()), tail);
}

TEST(Gepa, ReplyRuleTakesTheFencedBlockOrTheWholeReply) {
  EXPECT_EQ(extract_instruction("Sure.\n```\nSort tickets by topic.\n```\nDone."),
            "Sort tickets by topic.");
  EXPECT_EQ(extract_instruction("```text\nUse the label set.\n```"), "Use the label set.");
  EXPECT_EQ(extract_instruction("```One line block```"), "One line block");
  EXPECT_EQ(extract_instruction("  Just the instruction.  "), "Just the instruction.");
  EXPECT_EQ(extract_instruction("```\nunclosed block"), "unclosed block");
  EXPECT_EQ(extract_instruction("trailing fence```"), "trailing fence");
  EXPECT_EQ(extract_instruction(""), "");
}

TEST(Gepa, GarbageRepliesMakeNoChild) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = reflected_score;
  host.chat_reply = [](const std::string&) { return std::string("```\n\n```"); };
  GepaResult r =
      gepa(host, task, settings(task, {{"max_metric_calls", 60}, {"skip_perfect_score", false}}));
  EXPECT_EQ(r.pool.size(), 1u);
  ASSERT_FALSE(r.iterations.empty());
  for (const auto& it : r.iterations) EXPECT_EQ(it.outcome, "empty_proposal");
  // No child was evaluated: only the seed and the parents' minibatches ran.
  EXPECT_EQ(r.metric_calls, 20u + 3 * r.iterations.size());
  EXPECT_EQ(r.best.to_json(), task.start.to_json());

  ScriptedSearchHost plain(task);
  plain.score = reflected_score;
  plain.chat_reply = [](const std::string&) { return std::string("Reflected instruction 3"); };
  GepaResult q = gepa(plain, task, settings(task, {{"max_metric_calls", 60}}));
  EXPECT_EQ(q.best.instructions, "Reflected instruction 3");  // no fence: the whole reply
}

TEST(Gepa, ResultIsTheBestMeanOnValidation) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = reflected_score;
  GepaResult r = gepa(host, task, settings(task, {{"max_metric_calls", 300}}));
  ASSERT_GT(r.pool.size(), 1u);
  double best = -1;
  std::size_t at = 0;
  for (std::size_t i = 0; i < r.pool.size(); ++i)
    if (r.pool[i].mean > best) {
      best = r.pool[i].mean;
      at = i;
    }
  EXPECT_EQ(r.best_index, at);
  EXPECT_EQ(r.best.to_json(), r.pool[at].program.to_json());
  EXPECT_GT(r.pool[at].mean, r.pool[0].mean);
}

TEST(Gepa, SkipsMinibatchesWithPerfectScores) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);  // every answer right
  GepaResult r = gepa(host, task, settings(task, {{"max_metric_calls", 50}}));
  EXPECT_TRUE(host.prompts.empty());
  for (const auto& it : r.iterations) EXPECT_EQ(it.outcome, "perfect");
  EXPECT_EQ(r.iterations.size(), 10u);  // (50 - 20) / 3
}

TEST(Gepa, IsDeterministicForASeed) {
  Task task = ticket_task(30, 20, 5);
  ScriptedSearchHost a(task), b(task);
  a.score = b.score = reflected_score;
  GepaResult ra = gepa(a, task, settings(task, {{"max_metric_calls", 300}}));
  GepaResult rb = gepa(b, task, settings(task, {{"max_metric_calls", 300}}));
  EXPECT_EQ(a.log, b.log);
  EXPECT_EQ(ra.best.to_json(), rb.best.to_json());
  Task other = ticket_task(30, 20, 6);
  ScriptedSearchHost c(other);
  c.score = reflected_score;
  gepa(c, other, settings(other, {{"max_metric_calls", 300}}));
  EXPECT_NE(a.log, c.log);
}

TEST(Gepa, MinibatchesWalkShuffledEpochs) {
  Task task = ticket_task(7, 20);
  ScriptedSearchHost host(task);
  host.score = reflected_score;
  GepaResult r = gepa(host, task, settings(task, {{"max_metric_calls", 200}}));
  ASSERT_GE(r.iterations.size(), 3u);
  // 7 ids padded to 9: the first three minibatches cover every id, the padding repeats two.
  std::vector<std::size_t> seen;
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(r.iterations[k].minibatch.size(), 3u);
    seen.insert(seen.end(), r.iterations[k].minibatch.begin(), r.iterations[k].minibatch.end());
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen.size(), 7u);
}

TEST(Gepa, CancellationReturnsTheBestSoFar) {
  Task task = ticket_task(30, 20);
  ScriptedSearchHost host(task);
  host.score = reflected_score;
  host.cancel_after = 150;
  GepaResult r = gepa(host, task, settings(task, {{"max_metric_calls", 5000}}));
  EXPECT_EQ(r.stopped, "cancelled");
  EXPECT_LE(host.lm_calls, 150u);
  ASSERT_FALSE(r.pool.empty());
  double best = -1;
  for (const auto& c : r.pool) best = std::max(best, c.mean);
  EXPECT_DOUBLE_EQ(r.pool[r.best_index].mean, best);
}

TEST(Gepa, ParametersFollowDspyRules) {
  Task task = ticket_task(30, 20);
  EXPECT_THROW(settings(task, {{"auto", "light"}, {"max_metric_calls", 100}}), sdk::Error);
  EXPECT_THROW(settings(task, {{"max_metric_call", 100}}), sdk::Error);
  EXPECT_THROW(settings(task, {{"candidate_selection_strategy", "best"}}), sdk::Error);
  GepaSettings s = settings(task, {{"candidate_selection_strategy", "current_best"},
                                   {"use_merge", false},
                                   {"reflection_lm", "big"}});
  EXPECT_EQ(s.candidate_selection_strategy, "current_best");
  EXPECT_FALSE(s.use_merge);
}

// docs/performance.md: auto=light on 100 training and 100 validation examples when no child ever
// beats its parent: the seed's 100, then 6 metric calls and 1 reflection per iteration while a
// whole iteration's minibatches still fit in auto_budget(6, 100) = 780.
TEST(Gepa, LmCallsOnAHundredExamplesFollowTheCount) {
  Task task = ticket_task(100, 100);
  ScriptedSearchHost host(task);
  // Every instruction alike and never perfect: no child is strictly better, no minibatch skipped.
  host.score = [](const Candidate&, const std::string&, std::size_t) { return 0.5; };
  int n = 0;
  host.chat_reply = [&](const std::string&) {
    return "```\nAnother " + std::to_string(++n) + "\n```";
  };
  GepaResult r = gepa(host, task, settings(task, {}));
  EXPECT_EQ(r.metric_calls, 100u + 113 * 6);
  EXPECT_EQ(host.prompts.size(), 113u);
  EXPECT_EQ(host.lm_calls, 100u + 113 * 7);
  EXPECT_EQ(r.pool.size(), 1u);
}

}  // namespace
}  // namespace pipeline::optimizer
