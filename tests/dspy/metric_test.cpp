#include <pipeline/dspy/metric.hpp>

#include <gtest/gtest.h>

namespace pipeline::dspy {
namespace {

Signature qa() {
  return *parse_signature_string("question -> answer");
}

double score_of(const json::value& spec, const json::value& expected, const json::value& predicted,
                std::string* feedback = nullptr, const Signature& sig = qa()) {
  auto m = make_metric(spec, sig);
  EXPECT_TRUE(m) << m.status().message();
  if (!m) return -1;
  Example in{{"question", "q"}}, ex{{"answer", expected}}, pr{{"answer", predicted}};
  auto s = (*m)->score({in, ex, pr});
  EXPECT_TRUE(s) << s.status().message();
  if (feedback) *feedback = s->feedback;
  return s ? s->score : -1;
}

TEST(Metric, NormalizeTextMatchesDspy) {
  // DSPy's docstring examples for normalize_text, EM and F1.
  EXPECT_EQ(normalize_text("The,  Eiffel  Tower!"), "eiffel tower");
  EXPECT_EQ(normalize_text("An apple a day"), "apple day");
  EXPECT_EQ(normalize_text("Café"), "cafe\u0301");  // NFD keeps the combining accent
  EXPECT_EQ(normalize_text("thé"), "\u0301");       // \b sees the combining mark as a boundary
  EXPECT_EQ(normalize_text("ÉCOLE"), "e\u0301cole");
  EXPECT_EQ(normalize_text("tab\tand\u00a0nbsp"), "tab and nbsp");
}

TEST(Metric, F1MatchesDspyExamples) {
  EXPECT_NEAR(f1_score("Eiffel Tower is in Paris", "Paris"), 1.0 / 3.0, 1e-9);
  EXPECT_DOUBLE_EQ(f1_score("the Eiffel Tower", "Eiffel Tower"), 1.0);
  EXPECT_DOUBLE_EQ(f1_score("nothing", "else"), 0.0);
  EXPECT_DOUBLE_EQ(f1_score("", ""), 0.0);
}

TEST(Metric, ExactMatchWithDspyNormalisationAndAnswerLists) {
  json::value em{{"type", "exact_match"}};
  EXPECT_EQ(score_of(em, "2", "2"), 1);
  EXPECT_EQ(score_of(em, json::array{"2", "two"}, "2"), 1);
  EXPECT_EQ(score_of(em, "Eiffel Tower", "The Eiffel Tower"), 1);
  std::string fb;
  EXPECT_EQ(score_of(em, "2", "3", &fb), 0);
  EXPECT_EQ(fb, "expected '2', got '3'");
}

TEST(Metric, ContainsRegexJsonAndNumeric) {
  EXPECT_EQ(score_of(json::value{{"type", "contains"}}, "Paris", "It is Paris, France"), 1);
  EXPECT_EQ(score_of(json::value{{"type", "contains"}}, "paris", "It is Paris"), 0);
  EXPECT_EQ(
      score_of(json::value{{"type", "contains"}, {"ignore_case", true}}, "paris", "It is PARIS"),
      1);
  EXPECT_EQ(score_of(json::value{{"type", "regex"}, {"pattern", "^[0-9]+$"}}, "", "123"), 1);
  EXPECT_EQ(score_of(json::value{{"type", "regex"}, {"pattern", "^[0-9]+$"}}, "", "12a"), 0);
  EXPECT_EQ(score_of(json::value{{"type", "json_valid"}}, "", R"({"a": 1})"), 1);
  EXPECT_EQ(score_of(json::value{{"type", "json_valid"}}, "", "{a: 1"), 0);
  json::value schema{{"type", "json_schema"},
                     {"schema", {{"type", "object"}, {"required", json::array{"a"}}}}};
  EXPECT_EQ(score_of(schema, "", R"({"a": 1})"), 1);
  std::string fb;
  EXPECT_EQ(score_of(schema, "", R"({"b": 1})", &fb), 0);
  EXPECT_EQ(fb, "$: missing required property 'a'");
  json::value num{{"type", "numeric"}, {"tolerance", 0.5}};
  EXPECT_EQ(score_of(num, "42", "about 42.3 km"), 1);
  EXPECT_EQ(score_of(num, 42, "43"), 0);
  EXPECT_EQ(score_of(json::value{{"type", "numeric"}, {"tolerance", 0.1}, {"relative", true}}, 100,
                     "109"),
            1);
}

TEST(Metric, WeightedCombinationAveragesByWeightAndJoinsFeedback) {
  auto spec = parse_json(R"({"type": "weighted", "metrics": [{"weight": 3, "type": "exact_match"},
                             {"weight": 1, "type": "contains"}]})");
  std::string fb;
  EXPECT_DOUBLE_EQ(score_of(*spec, "Paris", "Paris, France", &fb), 0.25);
  EXPECT_EQ(fb, "exact_match:answer: expected 'Paris', got 'Paris, France'");
}

TEST(Metric, LlmJudgeAsksThroughTheGivenCallAndParsesScoreAndFeedback) {
  std::vector<Message> seen;
  JudgeCall judge = [&](const std::vector<Message>& messages,
                        const json::object&) -> Result<std::string> {
    seen = messages;
    return std::string(
        "[[ ## score ## ]]\n0.5\n\n[[ ## feedback ## ]]\nHalf right.\n\n[[ ## completed ## ]]");
  };
  auto m = make_metric(json::value{{"type", "llm_judge"}}, qa(), judge);
  ASSERT_TRUE(m) << m.status().message();
  EXPECT_EQ((*m)->lm_calls_per_score(), 1);
  Example in{{"question", "q"}}, ex{{"answer", "a"}}, pr{{"answer", "b"}};
  auto s = (*m)->score({in, ex, pr});
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_EQ(s->score, 0.5);
  EXPECT_EQ(s->feedback, "Half right.");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[1].content.find("[[ ## expected ## ]]\n{\"answer\": \"a\"}"), std::string::npos);
}

TEST(Metric, BadSpecsAreErrors) {
  EXPECT_FALSE(make_metric(json::value{{"type", "nope"}}, qa()));
  EXPECT_FALSE(make_metric(json::value{{"type", "exact_match"}, {"field", "missing"}}, qa()));
  EXPECT_FALSE(make_metric(json::value{{"type", "regex"}, {"pattern", "("}}, qa()));
  EXPECT_FALSE(make_metric(json::value{{"type", "exact_match"}, {"tolerance", 1}}, qa()));
  EXPECT_FALSE(make_metric(json::value{{"type", "llm_judge"}}, qa()));
}

TEST(Metric, CommandLineSpecs) {
  EXPECT_EQ(serialize(*parse_metric_spec("f1:answer")), R"({"type":"f1","field":"answer"})");
  EXPECT_EQ(serialize(*parse_metric_spec("numeric:answer:0.01")),
            R"({"type":"numeric","field":"answer","tolerance":1E-2})");
  EXPECT_EQ(serialize(*parse_metric_spec("regex:answer:^a:b$")),
            R"({"type":"regex","field":"answer","pattern":"^a:b$"})");
  EXPECT_FALSE(parse_metric_spec("numeric:answer:x"));
}

}  // namespace
}  // namespace pipeline::dspy
