// compare_report over an in-memory History: both variants per step, the recommendation with
// what is missing, --step and --since filters, the adaptive decision, and the text form.
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/monitor/compare_report.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

// The smallest History: records kept in a vector, filtered like a sink's query side.
class VectorHistory : public History {
 public:
  void add(StepRecord r) { records_.push_back(std::move(r)); }
  Result<std::vector<StepRecord>> query(const HistoryQuery& q) const override {
    ++queries;
    if (fail) return unavailable("history offline");
    std::vector<StepRecord> out;
    for (const StepRecord& r : records_) {
      if (r.workflow != q.workflow) continue;
      if (!q.step.empty() && r.step != q.step) continue;
      if (!q.variant.empty() && r.variant != q.variant) continue;
      if (r.unix_ms < q.since_unix_ms) continue;
      out.push_back(r);
    }
    return out;
  }
  bool fail = false;
  mutable int queries = 0;

 private:
  std::vector<StepRecord> records_;
};

StepRecord rec(const std::string& step, const std::string& variant, double quality,
               double cost = 0.001, std::int64_t unix_ms = 1000) {
  StepRecord r;
  r.workflow = "triage";
  r.step = step;
  r.variant = variant;
  r.quality = quality;
  r.cost_usd = cost;
  r.latency_ms = variant == "traditional" ? 100 : 150;
  r.unix_ms = unix_ms;
  return r;
}

Workflow load(const std::string& extra = "") {
  Diagnostics d;
  auto doc = load_yaml_string(
      "workflow:\n  name: triage\n" + extra +
          "  steps:\n"
          "    - {name: classify, type: claude, signature: \"ticket -> label\"}\n"
          "    - {name: note, type: set_variable}\n"
          "    - {name: summarize, type: claude, signature: \"ticket -> summary\"}\n",
      "wf.yaml", d);
  EXPECT_TRUE(doc) << d.format();
  auto wf = parse_workflow(*doc, "wf.yaml", d);
  EXPECT_TRUE(wf) << d.format();
  return *wf;
}

TEST(CompareReport, EachSignatureStepShowsBothVariantsAndTheRecommendation) {
  VectorHistory h;
  for (int i = 0; i < 6; ++i) {
    h.add(rec("classify", "traditional", 0.5));
    h.add(rec("classify", "dspy_optimized", 0.8));
  }
  h.add(rec("other_workflow_step", "traditional", 1));
  auto report = compare_report(load(), h, {});
  ASSERT_TRUE(report) << report.status().to_string();
  EXPECT_EQ(report->at("workflow"), json::value("triage"));
  const auto& steps = report->at("steps").as_array();
  ASSERT_EQ(steps.size(), 2u);  // classify and summarize; `note` has no signature nor history
  const json::object& c = steps[0].as_object();
  EXPECT_EQ(c.at("step"), json::value("classify"));
  EXPECT_EQ(c.at("traditional").at("n"), json::value(6));
  EXPECT_EQ(c.at("dspy_optimized").at("n"), json::value(6));
  EXPECT_NEAR(c.at("difference").at("quality").as_double(), 0.3, 1e-12);
  EXPECT_NEAR(c.at("difference").at("execution_time_ms").as_double(), 50, 1e-12);
  EXPECT_EQ(c.at("recommendation"), json::value("recommend_dspy"));
  EXPECT_THAT(std::string(c.at("reason").as_string()),
              HasSubstr("DSPy provides better quality at reasonable cost"));
  EXPECT_FALSE(c.contains("samples_needed"));
  EXPECT_FALSE(c.contains("adaptive"));
  const json::object& s = steps[1].as_object();
  EXPECT_EQ(s.at("recommendation"), json::value("recommend_evaluation"));
  EXPECT_EQ(s.at("samples_needed").at("traditional"), json::value(5));
  EXPECT_EQ(s.at("samples_needed").at("dspy_optimized"), json::value(5));
}

TEST(CompareReport, MinSamplesAndTheAdaptiveDecisionComeFromTheStepsHybridConfig) {
  VectorHistory h;
  for (int i = 0; i < 3; ++i) {
    h.add(rec("classify", "traditional", 0.2));
    h.add(rec("classify", "dspy_optimized", 0.9));
  }
  auto report = compare_report(
      load("  hybrid_config: {min_samples: 3, ab_policy: adaptive, confidence: 0.9}\n"), h,
      {.step = "classify"});
  ASSERT_TRUE(report);
  const auto& steps = report->at("steps").as_array();
  ASSERT_EQ(steps.size(), 1u);
  const json::object& c = steps[0].as_object();
  EXPECT_EQ(c.at("recommendation"), json::value("recommend_dspy"));
  ASSERT_TRUE(c.contains("adaptive"));
  EXPECT_EQ(c.at("adaptive").at("decided"), json::value(true));
  EXPECT_EQ(c.at("adaptive").at("winner"), json::value("dspy_optimized"));
  const std::string text = format_compare_report(*report);
  EXPECT_THAT(text, HasSubstr("step classify\n"));
  EXPECT_THAT(text, HasSubstr("recommend_dspy: DSPy provides better quality"));
  EXPECT_THAT(text, HasSubstr("adaptive A/B   decided: dspy_optimized is better with probability"));
  EXPECT_THAT(text, HasSubstr("quality        0.200 [0.200, 0.200] n=3"));
}

TEST(CompareReport, SinceDropsOlderRecords) {
  VectorHistory h;
  for (int i = 0; i < 5; ++i) h.add(rec("classify", "traditional", 0.5, 0.001, 100));
  for (int i = 0; i < 5; ++i) h.add(rec("classify", "traditional", 0.5, 0.001, 5000));
  auto report = compare_report(load(), h, {.step = "classify", .since_unix_ms = 1000});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->at("steps").at(0).at("traditional").at("n"), json::value(5));
}

TEST(CompareReport, AnUnknownStepIsBadInputNamingTheSteps) {
  VectorHistory h;
  auto report = compare_report(load(), h, {.step = "clasify"});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(report.status().message(),
              HasSubstr("has no step 'clasify' (steps: classify, note, summarize)"));
  EXPECT_EQ(h.queries, 0);
}

TEST(CompareReport, AFailingHistoryPassesItsErrorOn) {
  VectorHistory h;
  h.fail = true;
  auto report = compare_report(load(), h, {});
  ASSERT_FALSE(report);
  EXPECT_THAT(report.status().message(), HasSubstr("history offline"));
}

TEST(CompareReport, AStepWithoutSignatureAppearsWhenItHasHistory) {
  VectorHistory h;
  h.add(rec("note", "traditional", 1.0));
  auto report = compare_report(load(), h, {});
  ASSERT_TRUE(report);
  const auto& steps = report->at("steps").as_array();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[1].at("step"), json::value("note"));
}

TEST(CompareReport, TextSaysWhenThereIsNothingToCompare) {
  Diagnostics d;
  auto doc = load_yaml_string("workflow:\n  name: w\n  steps:\n    - {name: a, type: echo}\n",
                              "wf.yaml", d);
  auto wf = parse_workflow(*doc, "wf.yaml", d);
  VectorHistory h;
  auto report = compare_report(*wf, h, {});
  ASSERT_TRUE(report);
  EXPECT_THAT(format_compare_report(*report), HasSubstr("no step with a signature"));
}

}  // namespace
}  // namespace pipeline
