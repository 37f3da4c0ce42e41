#include <pipeline/config/yaml_json.hpp>
#include <pipeline/optimize/step_optimization.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

constexpr const char* kWorkflow = R"(workflow:
  name: triage
  dspy_config: {optimizer: fixture_program}
  steps:
    - name: classify
      type: claude
      model: small-model
      prompt: "Classify: {{inputs.ticket}}"
      signature: "ticket -> label"
      metric: {type: exact_match, field: label}
      examples:
        - {ticket: "a refund", label: billing}
        - {ticket: "it crashes", label: technical}
        - {ticket: "double charge", label: billing}
        - {ticket: "no login", label: technical}
        - {ticket: "bad invoice", label: billing}
    - name: plain
      type: claude
      prompt: "hi"
)";

class StepOptimizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diags;
    auto doc = load_yaml_string(kWorkflow, "wf.yaml", diags);
    ASSERT_TRUE(doc) << diags.format();
    wf_ = parse_workflow(*doc, "wf.yaml", diags);
    ASSERT_TRUE(wf_) << diags.format();
    ASSERT_TRUE(plugins_
                    .load_file(std::filesystem::path(PIPELINE_BINARY_DIR) /
                               "tests/plugins/optimizers/libpipeline_fixture_optimizers.so")
                    .ok());
  }
  Result<OptimizationSpec> spec(const StepOptimizationRequest& req, const char* step = "classify") {
    for (const auto& s : wf_->steps)
      if (s.name == step) return step_optimization_spec(*wf_, s, config_, plugins_, req);
    return not_found(step);
  }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    auto p = std::filesystem::temp_directory_path() /
             ("step-opt-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(p) << text;
    files_.push_back(p);
    return p;
  }
  void TearDown() override {
    for (const auto& f : files_) std::filesystem::remove(f);
  }
  std::optional<Workflow> wf_;
  HostConfig config_ = HostConfig::builtin();
  PluginHost plugins_;
  std::vector<std::filesystem::path> files_;
};

TEST_F(StepOptimizationTest, TheStepsSettingsAndASeededSplitOfItsExamplesMakeTheSpec) {
  StepOptimizationRequest req;
  req.seed = 5;
  req.params["k"] = 2;
  auto s = spec(req);
  ASSERT_TRUE(s) << s.status().to_string();
  EXPECT_EQ(s->step, "classify");
  EXPECT_EQ(s->optimizer, "fixture_program");  // the workflow's dspy_config.optimizer
  EXPECT_EQ(s->model, "small-model");
  EXPECT_EQ(s->predict.request.at("model"), "small-model");
  EXPECT_EQ(s->provider, "mock");
  EXPECT_EQ(s->metric.at("field"), "label");
  EXPECT_EQ(s->trainset.size(), 4u);
  EXPECT_EQ(s->valset.size(), 1u);
  EXPECT_EQ(s->params.at("k"), 2);
  auto again = spec(req);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->valset[0].inputs, s->valset[0].inputs);  // the same seed, the same split
}

TEST_F(StepOptimizationTest, ANamedOptimizerMetricAndValsetWin) {
  auto val = write("val.jsonl", R"({"ticket": "refund", "label": "billing"})"
                                "\n");
  StepOptimizationRequest req;
  req.optimizer = "fixture_spender";
  req.metric = "contains:label";
  req.valset_file = val.string();
  auto s = spec(req);
  ASSERT_TRUE(s) << s.status().to_string();
  EXPECT_EQ(s->optimizer, "fixture_spender");
  EXPECT_EQ(s->metric.at("type"), "contains");
  EXPECT_EQ(s->trainset.size(), 5u);
  EXPECT_EQ(s->valset.size(), 1u);
}

TEST_F(StepOptimizationTest, ProblemsNameTheRequestMemberTheyAreAbout) {
  StepOptimizationRequest req;
  req.optimizer = "nope";
  EXPECT_THAT(spec(req).status().message(),
              HasSubstr("optimizer: no optimizer plugin 'nope' is loaded (loaded optimizers: "
                        "fixture_failing, fixture_garbage"));
  req = {};
  req.data_file = write("bad.jsonl", "{\"ticket\": \"a\", \"label\": \"b\"}\nnot json\n").string();
  auto bad = spec(req);
  EXPECT_THAT(bad.status().message(), HasSubstr("data: 1 bad row(s):"));
  EXPECT_THAT(bad.status().message(), HasSubstr("bad.jsonl:2"));
  req = {};
  req.metric = "nope";
  EXPECT_THAT(spec(req).status().message(), HasSubstr("metric: "));
  req = {};
  req.concurrency = 0;
  EXPECT_THAT(spec(req).status().message(), HasSubstr("concurrency: must be between 1 and 256"));
  EXPECT_THAT(spec({}, "plain").status().message(), HasSubstr("step: "));
}

}  // namespace
}  // namespace pipeline
