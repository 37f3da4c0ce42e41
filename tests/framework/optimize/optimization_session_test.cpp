#include "cache_support.hpp"
#include "fake_lm.hpp"
#include "session_support.hpp"

#include <pipeline/optimize/optimization_session.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<OptimizationSession> make(testing::FakeLm& lm,
                                          OptimizationSpec spec = testing::ticket_spec(),
                                          std::shared_ptr<CacheManager> cache = nullptr) {
  auto s = OptimizationSession::create(std::move(spec), lm, std::move(cache));
  EXPECT_TRUE(s) << s.status().to_string();
  return std::move(*s);
}

json::value J(std::string_view text) {
  return json::parse(text);
}

std::string system_message(const json::object& request) {
  return std::string(request.at("messages").as_array().at(0).at("content").as_string());
}

TEST(OptimizationSession, TaskCarriesSignatureSetsMetricParamsSeedAndTheStartCandidate) {
  testing::FakeLm lm;
  auto spec = testing::ticket_spec();
  spec.params["k"] = 3;
  spec.seed = 7;
  spec.budget.max_lm_calls = 40;
  auto s = make(lm, spec);
  json::object t = s->task();
  EXPECT_EQ(t.at("step"), "classify");
  EXPECT_EQ(t.at("signature").at("text"), "ticket -> label");
  EXPECT_EQ(t.at("signature").at("instructions"), "Classify the ticket.");
  EXPECT_EQ(t.at("signature").at("inputs").at(0).at("name"), "ticket");
  EXPECT_EQ(t.at("signature").at("outputs").at(0).at("prefix"), "Label:");
  EXPECT_EQ(t.at("trainset").as_array().size(), 4u);
  EXPECT_EQ(t.at("trainset").at(0).at("outputs").at("label"), "billing");
  EXPECT_EQ(t.at("valset").as_array().size(), 3u);
  EXPECT_EQ(t.at("metric"), "exact_match:label");
  EXPECT_EQ(t.at("params").at("k"), 3);
  EXPECT_EQ(t.at("seed"), 7);
  EXPECT_EQ(t.at("program").at("instructions"), "Classify the ticket.");
  EXPECT_TRUE(t.at("program").at("demos").as_array().empty());
  EXPECT_EQ(t.at("budget").at("max_lm_calls"), 40);
}

TEST(OptimizationSession, RunUsesTheCandidatesInstructionsAndDemos) {
  testing::FakeLm lm;
  auto s = make(lm);
  auto r = s->run(J(R"({"candidate": {"instructions": "Route tickets to a team.",
                        "demos": [{"ticket": "refund now", "label": "billing"}]},
                        "example": {"set": "train", "index": 0}})"));
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->at("outputs").at("label"), "billing");
  EXPECT_EQ(r->at("lm_calls"), 1);
  auto req = lm.snapshot().back();
  EXPECT_THAT(system_message(req), HasSubstr("Route tickets to a team."));
  EXPECT_EQ(req.at("messages").as_array().size(), 4u);  // system, demo user/assistant, input
  EXPECT_EQ(req.at("provider"), "mock");
}

TEST(OptimizationSession, RolloutIdAndTemperatureMakeADifferentRequest) {
  testing::FakeLm lm;
  auto s = make(lm);
  const char* base = R"({"candidate": {"instructions": "", "demos": []},
                         "example": {"set": "train", "index": 1}, "temperature": 1.0,
                         "rollout_id": )";
  ASSERT_TRUE(s->run(J(std::string(base) + "1}")));
  ASSERT_TRUE(s->run(J(std::string(base) + "2}")));
  auto again = s->run(J(std::string(base) + "1}"));
  ASSERT_TRUE(again);
  EXPECT_EQ(lm.provider_calls.load(), 2);  // rollout 1 again is the cached answer
  EXPECT_EQ(again->at("cache_hits"), 1);
  auto req = lm.snapshot().back();
  EXPECT_EQ(req.at("temperature"), 1.0);
  EXPECT_EQ(req.at("rollout_id"), 1);
}

TEST(OptimizationSession, RunWithScoreAndScoreGiveTheMetricsFeedback) {
  testing::FakeLm lm;
  auto s = make(lm);
  auto r = s->run(J(R"({"candidate": {"instructions": "x", "demos": []},
                        "example": {"set": "train", "index": 2}, "score": true})"));
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->at("score"), 0.0);
  EXPECT_EQ(r->at("feedback"), "expected 'billing', got 'technical'");
  auto sc =
      s->score(J(R"({"example": {"set": "val", "index": 0}, "outputs": {"label": "billing"}})"));
  ASSERT_TRUE(sc) << sc.status().to_string();
  EXPECT_EQ(sc->at("score"), 1.0);
}

TEST(OptimizationSession, BadRequestsAreInvalidArgumentsNamingTheProblem) {
  testing::FakeLm lm;
  auto s = make(lm);
  auto out_of_range = s->run(J(R"({"candidate": {}, "example": {"set": "val", "index": 9}})"));
  ASSERT_FALSE(out_of_range);
  EXPECT_EQ(out_of_range.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(out_of_range.status().message(), HasSubstr("out of the val set (3 examples)"));
  auto no_candidate = s->evaluate(J(R"({"set": "val"})"));
  EXPECT_THAT(no_candidate.status().message(), HasSubstr("no candidate"));
  auto bad_set = s->evaluate(J(R"({"candidate": {}, "set": "test"})"));
  EXPECT_THAT(bad_set.status().message(), HasSubstr("set must be train or val"));
  EXPECT_EQ(lm.provider_calls.load(), 0);
}

TEST(OptimizationSession, EvaluateRunsAtMostConcurrencyAtOnceAndRecordsTheCandidate) {
  testing::FakeLm lm;
  lm.wait_ms = 30;
  auto spec = testing::ticket_spec();
  for (int i = 0; i < 8; ++i)
    spec.valset.push_back(testing::row("crash " + std::to_string(i), "technical"));
  auto s = make(lm, spec);
  auto r = s->evaluate(J(R"({"candidate": {"instructions": "", "demos": []}, "set": "val",
                             "concurrency": 3, "label": "baseline"})"));
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_LE(lm.max_in_flight.load(), 3);
  EXPECT_GE(lm.max_in_flight.load(), 2);
  EXPECT_EQ(r->at("complete"), true);
  const auto& results = r->at("results").as_array();
  ASSERT_EQ(results.size(), 11u);
  EXPECT_EQ(results[2].at("index"), 2);
  EXPECT_EQ(results[2].at("score"), 0.0);  // "they billed my card"
  EXPECT_NEAR(r->at("score").as_double(), 10.0 / 11.0, 1e-9);
  auto cands = s->candidates();
  ASSERT_EQ(cands.size(), 1u);
  EXPECT_EQ(cands[0].label, "baseline");
  EXPECT_EQ(cands[0].set, "val");
  EXPECT_TRUE(cands[0].full_set);
  EXPECT_EQ(cands[0].examples, 11u);
}

TEST(OptimizationSession, EvaluateStopsAtTheBudgetWithoutExceedingItAndSaysSo) {
  testing::FakeLm lm;
  lm.wait_ms = 5;
  auto spec = testing::ticket_spec();
  for (int i = 0; i < 20; ++i)
    spec.valset.push_back(testing::row("crash " + std::to_string(i), "technical"));
  spec.budget.max_lm_calls = 5;
  auto s = make(lm, spec);
  auto r = s->evaluate(J(R"({"candidate": {"instructions": "", "demos": []}, "set": "val",
                             "concurrency": 8})"));
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(lm.provider_calls.load(), 5);
  EXPECT_EQ(r->at("complete"), false);
  EXPECT_EQ(r->at("stopped"), "budget");
  EXPECT_EQ(r->at("results").as_array().size(), 5u);
  auto next = s->run(J(R"({"candidate": {}, "example": {"set": "train", "index": 0}})"));
  ASSERT_FALSE(next);
  EXPECT_EQ(next.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s->budget_status().at("exhausted"), true);
  EXPECT_FALSE(s->candidates().at(0).complete);
}

TEST(OptimizationSession, AfterACancelCallsAreRefusedAndProgressSaysCancelled) {
  testing::FakeLm lm;
  auto s = make(lm);
  std::vector<OptimizationProgress> seen;
  s->on_progress([&](const OptimizationProgress& p) { seen.push_back(p); });
  EXPECT_TRUE(
      s->progress(J(R"({"stage": "propose", "candidate": 2, "of": 5, "best_score": 0.5})")));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].stage, "propose");
  EXPECT_EQ(seen[0].of, 5);
  EXPECT_EQ(seen[0].best_score.value_or(-1), 0.5);
  s->cancel();
  EXPECT_FALSE(s->progress(J("{}")));
  auto r = s->run(J(R"({"candidate": {}, "example": {"set": "train", "index": 0}})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(lm.provider_calls.load(), 0);
}

TEST(OptimizationSession, LmAnswersMessagesWithTextAndAStringSignatureWithOutputs) {
  testing::FakeLm lm;
  auto s = make(lm);
  auto text = s->lm(J(R"({"messages": [{"role": "user", "content": "Propose an instruction"}],
                          "temperature": 0.7, "rollout_id": 3})"));
  ASSERT_TRUE(text) << text.status().to_string();
  EXPECT_EQ(text->at("text"), "Classify the ticket by what the customer asks for.");
  EXPECT_EQ(lm.snapshot().back().at("rollout_id"), 3);
  auto outs = s->lm(J(R"({"signature": "ticket -> label", "instructions": "Say the team.",
                          "inputs": {"ticket": "a refund"}})"));
  ASSERT_TRUE(outs) << outs.status().to_string();
  EXPECT_EQ(outs->at("outputs").at("label"), "billing");
  EXPECT_THAT(system_message(lm.snapshot().back()), HasSubstr("Say the team."));
  // A reply without the signature's fields is empty outputs and the reason, not a failed call.
  auto unparsed = s->lm(J(R"({"signature": "ticket -> summary", "inputs": {"ticket": "x"}})"));
  ASSERT_TRUE(unparsed) << unparsed.status().to_string();
  EXPECT_TRUE(unparsed->at("outputs").as_object().empty());
  EXPECT_THAT(std::string(unparsed->at("error").as_string()), HasSubstr("summary"));
}

TEST(OptimizationSession, ResultsOfTheWrongShapeAreErrorsSayingWhat) {
  testing::FakeLm lm;
  auto s = make(lm);
  EXPECT_THAT(s->candidate_from_result("not json at all").status().message(),
              HasSubstr("not JSON ('not json at all')"));
  EXPECT_THAT(s->candidate_from_result("").status().message(), HasSubstr("not JSON (empty)"));
  EXPECT_THAT(s->candidate_from_result("[1, 2]").status().message(), HasSubstr("not an object"));
  EXPECT_THAT(s->candidate_from_result(R"({"demos": 7})").status().message(),
              HasSubstr("\"demos\" is not an array"));
  EXPECT_THAT(s->candidate_from_result(R"({"demos": [{"color": "red"}]})").status().message(),
              HasSubstr("demos[0] is not an object with a field of the signature"));
  EXPECT_THAT(s->candidate_from_result(R"({"score": 1})").status().message(),
              HasSubstr("neither a candidate"));
  auto ok = s->candidate_from_result(
      R"({"instructions": "Be brief.", "demos": [{"ticket": "t", "label": "billing"}]})");
  ASSERT_TRUE(ok) << ok.status().to_string();
  EXPECT_EQ(ok->at("instructions"), "Be brief.");
}

TEST(OptimizationSession, AProgramResultBindsToTheSignatureAndTheProgramRoundTrips) {
  testing::FakeLm lm;
  auto s = make(lm);
  json::object cand{{"instructions", "Be brief."},
                    {"demos", json::array{json::object{{"ticket", "t"}, {"label", "billing"}}}}};
  dspy::Program prog = s->program_of(cand);
  ASSERT_EQ(prog.predictors().size(), 1u);
  EXPECT_EQ(prog.predictors()[0].name, "self");
  auto back = s->candidate_from_result(json::serialize(prog.to_json()));
  ASSERT_TRUE(back) << back.status().to_string();
  EXPECT_EQ(back->at("instructions"), "Be brief.");
  EXPECT_EQ(back->at("demos").at(0).at("label"), "billing");
}

TEST(OptimizationSession, TheCacheKeyFollowsWhatChangesTheResult) {
  testing::FakeLm lm;
  auto a = make(lm);
  auto b = make(lm);
  EXPECT_EQ(a->cache_key(), b->cache_key());
  EXPECT_EQ(a->cache_key().rfind("opt:v1:" + testing::ticket_spec().dspy.signature.hash() + ":", 0),
            0u);
  auto spec = testing::ticket_spec();
  spec.seed = 1;
  EXPECT_NE(make(lm, spec)->cache_key(), a->cache_key());
  spec = testing::ticket_spec();
  spec.params["k"] = 2;
  EXPECT_NE(make(lm, spec)->cache_key(), a->cache_key());
  spec = testing::ticket_spec();
  spec.trainset.pop_back();
  EXPECT_NE(make(lm, spec)->cache_key(), a->cache_key());
  spec = testing::ticket_spec();
  spec.model = "other-model";
  EXPECT_NE(make(lm, spec)->cache_key(), a->cache_key());
}

TEST(OptimizationSession, AnUnknownMetricIsAnError) {
  testing::FakeLm lm;
  auto spec = testing::ticket_spec();
  spec.metric = json::object{{"type", "nope"}};
  auto s = OptimizationSession::create(std::move(spec), lm);
  ASSERT_FALSE(s);
  EXPECT_THAT(s.status().message(), HasSubstr("nope"));
}

}  // namespace
}  // namespace pipeline
