// BootstrapFewShot's mechanics through a scripted SearchHost: which traces become demos (the
// metric and metric_threshold gate them), the teacher's demos, max_rounds at temperature 1 with
// rollout ids, max_errors, a budget stop or a cancel keeping the traces so far, determinism and
// parameter errors.
#include "../instruction_optimizers/scripted_search_host.hpp"

#include "../../../plugins/optimizer_bootstrap_few_shot/bootstrap_few_shot.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pipeline::optimizer {
namespace {

using testing::ScriptedSearchHost;
using testing::ticket_task;

BootstrapFewShotSettings settings(const Task& task, boost::json::object params = {}) {
  Task t = task;
  t.params = std::move(params);
  return BootstrapFewShotSettings::parse(t);
}

std::vector<std::string> tickets(const boost::json::array& demos, bool augmented) {
  std::vector<std::string> out;
  for (const auto& d : demos)
    if (d.as_object().contains("augmented") == augmented)
      out.emplace_back(d.as_object().at("ticket").as_string());
  return out;
}

TEST(BootstrapFewShot, KeepsTheFirstPassingTracesThenLabelledDemos) {
  Task task = ticket_task(30, 10);
  ScriptedSearchHost host(task);
  BootstrapFewShotResult r = bootstrap_few_shot(host, task, settings(task));
  EXPECT_EQ(r.bootstrapped, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(r.attempts, 4u);
  EXPECT_EQ(host.lm_calls, 4u);         // it stops running examples at max_bootstrapped_demos
  ASSERT_EQ(r.best.demos.size(), 16u);  // 4 traces + 12 labelled (max_labeled_demos 16)
  EXPECT_EQ(tickets(r.best.demos, true),
            (std::vector<std::string>{"train ticket 0", "train ticket 1", "train ticket 2",
                                      "train ticket 3"}));
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_TRUE(r.best.demos[i].as_object().contains("augmented"));
  // The labelled part comes from the examples not bootstrapped.
  for (const auto& t : tickets(r.best.demos, false))
    EXPECT_GE(std::stoi(t.substr(std::string("train ticket ").size())), 4) << t;
  EXPECT_EQ(r.best.instructions, "Classify the ticket.");
  EXPECT_TRUE(r.stopped.empty());
}

TEST(BootstrapFewShot, ATraceBecomesADemoOnlyWhenTheMetricPasses) {
  Task task = ticket_task(30, 10);
  ScriptedSearchHost host(task);
  host.graded = true;
  // Example i of the trainset scores (i % 10) / 10: 0 fails, everything else passes "> 0".
  host.score = [](const Candidate&, const std::string&, std::size_t i) {
    return static_cast<double>(i % 10) / 10.0;
  };
  EXPECT_EQ(bootstrap_few_shot(host, task, settings(task)).bootstrapped,
            (std::vector<std::size_t>{1, 2, 3, 4}));
  ScriptedSearchHost gated(task);
  gated.graded = true;
  gated.score = host.score;
  BootstrapFewShotResult r =
      bootstrap_few_shot(gated, task, settings(task, {{"metric_threshold", 0.75}}));
  EXPECT_EQ(r.bootstrapped, (std::vector<std::size_t>{8, 9, 18, 19}));
  EXPECT_EQ(r.attempts, 20u);  // examples 0..19 ran; 20.. were not needed
  // The augmented demo carries the teacher's outputs (the scripted model answered right).
  EXPECT_EQ(r.best.demos[0].as_object().at("category").as_string(), "billing");
}

TEST(BootstrapFewShot, WithoutAMetricEveryParsedTraceIsKept) {
  Task task = ticket_task(30, 10);
  task.metric.clear();
  ScriptedSearchHost host(task);
  host.score = [](const Candidate&, const std::string&, std::size_t) { return 0.0; };
  host.parse_error = [](const std::string&, std::size_t i) {
    return i == 1 ? std::string("unparsed") : std::string();
  };
  BootstrapFewShotResult r = bootstrap_few_shot(host, task, settings(task));
  EXPECT_EQ(r.bootstrapped, (std::vector<std::size_t>{0, 2, 3, 4}));
  EXPECT_EQ(host.metric_calls, 0u);  // nothing asked the service to score
}

TEST(BootstrapFewShot, TheTeacherNeverSeesTheExampleItAnswers) {
  Task task = ticket_task(30, 10);
  ScriptedSearchHost host(task);
  std::vector<std::size_t> teacher_sizes;
  host.score = [&](const Candidate& c, const std::string&, std::size_t i) {
    for (const auto& d : c.demos) EXPECT_NE(d.as_object(), task.trainset[i].flat()) << i;
    teacher_sizes.push_back(c.demos.size());
    return 1.0;
  };
  bootstrap_few_shot(host, task, settings(task));
  ASSERT_EQ(teacher_sizes.size(), 4u);
  // 16 labelled demos, one fewer when the example is among them.
  for (std::size_t n : teacher_sizes) EXPECT_TRUE(n == 15 || n == 16) << n;
  ScriptedSearchHost bare(task);
  bare.score = [&](const Candidate& c, const std::string&, std::size_t) {
    EXPECT_TRUE(c.demos.empty());  // max_labeled_demos 0: a zero-shot teacher
    return 1.0;
  };
  BootstrapFewShotResult r =
      bootstrap_few_shot(bare, task, settings(task, {{"max_labeled_demos", 0}}));
  EXPECT_EQ(r.best.demos.size(), 4u);
}

TEST(BootstrapFewShot, LaterRoundsRunAtTemperatureOneWithFreshRolloutIds) {
  Task task = ticket_task(30, 10);
  ScriptedSearchHost host(task);
  // Odd examples pass at once; multiples of 4 only on the third round (rollout 2); the others
  // never.
  host.score = [&](const Candidate&, const std::string&, std::size_t i) {
    if (i % 2 == 1) return 1.0;
    return i % 4 == 0 && host.running.rollout_id == 2 ? 1.0 : 0.0;
  };
  BootstrapFewShotResult r = bootstrap_few_shot(host, task, settings(task, {{"max_rounds", 3}}));
  EXPECT_EQ(r.bootstrapped, (std::vector<std::size_t>{0, 1, 3, 4}));
  EXPECT_EQ(r.attempts, 3u + 1 + 3 + 1 + 3);
  const std::string first = " Classify the ticket. t=- r=-";
  const std::string hot = " Classify the ticket. t=1.000000 r=";
  EXPECT_EQ(host.log,
            (std::vector<std::string>{
                "run train:0" + first, "run train:0" + hot + "1", "run train:0" + hot + "2",
                "run train:1" + first, "run train:2" + first, "run train:2" + hot + "1",
                "run train:2" + hot + "2", "run train:3" + first, "run train:4" + first,
                "run train:4" + hot + "1", "run train:4" + hot + "2"}));
}

TEST(BootstrapFewShot, MaxErrorsUnparsedRepliesFailTheOptimization) {
  Task task = ticket_task(30, 10);
  ScriptedSearchHost host(task);
  host.parse_error = [](const std::string&, std::size_t i) {
    return i < 20 ? std::string("no [[ ## category ## ]] field") : std::string();
  };
  try {
    bootstrap_few_shot(host, task, settings(task, {{"max_errors", 3}}));
    FAIL() << "three unparsed replies were tolerated with max_errors 3";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), PL_FAILED_PRECONDITION);
    EXPECT_NE(std::string(e.what()).find("max_errors 3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no [[ ## category ## ]] field"), std::string::npos);
  }
  EXPECT_EQ(host.lm_calls, 3u);
  // Fewer errors than max_errors: those examples are skipped, not traced.
  ScriptedSearchHost few(task);
  few.parse_error = [](const std::string&, std::size_t i) {
    return i < 2 ? std::string("unparsed") : std::string();
  };
  BootstrapFewShotResult r = bootstrap_few_shot(few, task, settings(task));
  EXPECT_EQ(r.errors, 2u);
  EXPECT_EQ(r.bootstrapped, (std::vector<std::size_t>{2, 3, 4, 5}));
}

TEST(BootstrapFewShot, ABudgetStopKeepsTheTracesGatheredSoFar) {
  Task task = ticket_task(30, 10);
  ScriptedSearchHost host(task);
  host.max_lm_calls = 2;
  BootstrapFewShotResult r = bootstrap_few_shot(host, task, settings(task));
  EXPECT_EQ(r.stopped, "budget");
  EXPECT_EQ(host.lm_calls, 2u);
  EXPECT_EQ(r.bootstrapped, (std::vector<std::size_t>{0, 1}));
  ASSERT_EQ(r.best.demos.size(), 16u);  // 2 traces + 14 labelled: the program is still complete
  EXPECT_EQ(tickets(r.best.demos, true).size(), 2u);
}

TEST(BootstrapFewShot, ACancelKeepsTheTracesGatheredSoFar) {
  Task task = ticket_task(30, 10);
  ScriptedSearchHost host(task);
  host.cancel_after = 3;
  BootstrapFewShotResult r = bootstrap_few_shot(host, task, settings(task));
  EXPECT_EQ(r.stopped, "cancelled");
  EXPECT_EQ(r.bootstrapped, (std::vector<std::size_t>{0, 1, 2}));
  ScriptedSearchHost at_once(task);
  at_once.cancel_after = 0;
  r = bootstrap_few_shot(at_once, task, settings(task));
  EXPECT_EQ(r.stopped, "cancelled");
  EXPECT_EQ(at_once.lm_calls, 0u);
  EXPECT_EQ(tickets(r.best.demos, true).size(), 0u);
  EXPECT_EQ(r.best.demos.size(), 16u);
}

TEST(BootstrapFewShot, IsDeterministicForASeedAndItsLabelledDrawsFollowTheSeed) {
  auto demos = [](std::uint64_t seed) {
    Task task = ticket_task(30, 10, seed);
    ScriptedSearchHost host(task);
    return bootstrap_few_shot(host, task, settings(task)).best.to_json();
  };
  EXPECT_EQ(demos(5), demos(5));
  // The traces are the first passing examples whatever the seed; the labelled draws differ.
  EXPECT_NE(demos(5), demos(6));
}

TEST(BootstrapFewShot, UnknownOrBadParametersAreClearErrors) {
  Task task = ticket_task(5, 0);
  try {
    settings(task, {{"max_bootstraped_demos", 2}});
    FAIL() << "an unknown parameter was accepted";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), PL_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find(
                  "bootstrap_few_shot: unknown parameter 'max_bootstraped_demos' (known: "),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("max_bootstrapped_demos"), std::string::npos);
  }
  EXPECT_THROW(settings(task, {{"max_rounds", 0}}), sdk::Error);
  EXPECT_THROW(settings(task, {{"metric_threshold", 1.5}}), sdk::Error);
  EXPECT_THROW(settings(task, {{"max_errors", "many"}}), sdk::Error);
  BootstrapFewShotSettings s = settings(task);
  EXPECT_EQ(s.demos.max_bootstrapped_demos, 4u);  // DSPy's defaults
  EXPECT_EQ(s.demos.max_labeled_demos, 16u);
  EXPECT_EQ(s.demos.max_rounds, 1u);
  EXPECT_EQ(s.demos.max_errors, 10u);
  EXPECT_FALSE(s.demos.metric_threshold.has_value());
}

// docs/performance.md: default parameters on 100 training examples, every call counted (no
// cache): every trace passing, it stops after max_bootstrapped_demos runs; no trace ever passing
// with max_rounds 3, every example runs 3 times.
TEST(BootstrapFewShot, LmCallsOnAHundredExamplesFollowTheCount) {
  Task task = ticket_task(100, 100, 0);
  ScriptedSearchHost passing(task);
  bootstrap_few_shot(passing, task, settings(task));
  EXPECT_EQ(passing.lm_calls, 4u);
  ScriptedSearchHost failing(task);
  failing.score = [](const Candidate&, const std::string&, std::size_t) { return 0.0; };
  BootstrapFewShotResult r = bootstrap_few_shot(failing, task, settings(task, {{"max_rounds", 3}}));
  EXPECT_EQ(failing.lm_calls, 300u);
  EXPECT_TRUE(r.bootstrapped.empty());
  EXPECT_EQ(r.best.demos.size(), 16u);  // labelled only
}

}  // namespace
}  // namespace pipeline::optimizer
