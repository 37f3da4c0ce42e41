// The traditional strategy on its own: a prepared input goes to the step's plugin, whose LLM
// calls are logged under the frame the strategy is given.
#include "workflow_harness.hpp"

#include <pipeline/engine/traditional_strategy.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

class TraditionalStrategyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = testing::load(R"(workflow:
  name: s
  steps:
    - name: ask
      type: claude
      prompt: [{type: static, content: "hello there"}]
)");
    ASSERT_FALSE(loaded_->diags.has_errors()) << loaded_->diags.format();
    Diagnostics d;
    ASSERT_TRUE(loaded_->runtime->start(d)) << d.format();
  }
  Result<json::object> run(const PreparedStep& p, CallLog& log) {
    Executor ex(*loaded_->runtime, {});
    const Workflow& wf = *loaded_->workflow;
    CallFrame frame{.run_id = "r", .step = "ask", .step_type = "claude", .log = &log};
    StepRun run{ex, wf, wf.steps[0], ctx_, 0, stack_, frame, log};
    TraditionalStrategy s(*loaded_->runtime);
    EXPECT_EQ(s.mode(), "traditional");
    return s.run(p, run);
  }
  std::unique_ptr<testing::Loaded> loaded_;
  RunContext ctx_;
  std::vector<std::string> stack_;
};

TEST_F(TraditionalStrategyTest, RunsTheStepsPluginAndLogsItsCalls) {
  PreparedStep p;
  p.input = json::object{{"step_name", "ask"},
                         {"step_type", "claude"},
                         {"step", json::object{{"name", "ask"}, {"type", "claude"}}},
                         {"prompt_text", "hello there"},
                         {"prompt_parts", json::array{}},
                         {"workflow", json::object{}}};
  CallLog log;
  auto doc = run(p, log);
  ASSERT_TRUE(doc) << doc.status().to_string();
  EXPECT_EQ(doc->at("output").at("text"), json::value("Mock response to: hello there"));
  EXPECT_EQ(log.totals().calls, 1);
  EXPECT_EQ(log.provider(), "mock");
}

TEST_F(TraditionalStrategyTest, APluginFailureIsAnErrorNamingTheStep) {
  PreparedStep p;  // no prompt: the claude step refuses
  p.input = json::object{{"step_name", "ask"},
                         {"step_type", "claude"},
                         {"step", json::object{{"name", "ask"}, {"type", "claude"}}},
                         {"prompt_text", ""},
                         {"prompt_parts", json::array{}}};
  CallLog log;
  auto doc = run(p, log);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.status().message().find("step 'ask' (claude) failed"), std::string::npos)
      << doc.status().message();
}

}  // namespace
}  // namespace pipeline
