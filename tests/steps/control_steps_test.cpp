// for_loop, while_loop and nested pipelines, run through the real control_steps plugin and the
// host's pipeline.executor service.
#include "step_harness.hpp"

#include <pipeline/plugin.hpp>

#include <fstream>

namespace pipeline::testing {
namespace {

TEST(ForLoop, RunsBodyPerItemWithLoopVariablesAndKeepsBodyVariables) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(R"(workflow:
  name: loop
  global_vars: {items: [1, 2, 3]}
  steps:
    - name: init
      type: set_variable
      variables: {total: 0}
    - name: each
      type: for_loop
      iterator: n
      data_source: global_vars.items
      steps:
        - name: add
          type: set_variable
          variables:
            total: "{{state.total + loop.n}}"
            last_index: "{{loop.index}}"
    - name: after
      type: test_echo
      value: "total={{state.total}} last={{last_index}}"
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(result_of(r, "after"), json::value("total=6 last=2"));
  const auto& out = result_of(r, "each").as_object();
  EXPECT_EQ(out.at("completed_items").to_number<int>(), 3);
  EXPECT_EQ(out.at("iterations").as_array().size(), 3u);
  EXPECT_EQ(h.runtime().executor_service().open_scopes(), 0u);
}

TEST(ForLoop, BreakAndContinueConditions) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(R"(workflow:
  name: loop
  steps:
    - name: each
      type: for_loop
      iterator: x
      data_source: "{{split('a,b,c,d,e', ',')}}"
      continue_condition: "x == 'b'"
      break_condition: "x == 'd'"
      steps:
        - name: echo
          type: test_echo
          value: "{{x}}"
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  const auto& out = result_of(r, "each").as_object();
  EXPECT_EQ(out.at("completed_items").to_number<int>(), 3);  // a, c, d
  EXPECT_EQ(out.at("skipped_items").to_number<int>(), 1);    // b
  EXPECT_EQ(out.at("broke_at").to_number<int>(), 3);
}

TEST(ForLoop, ParallelIterationsAllRunAndKeepTheirOrder) {
  TempDir dir;
  StepHarness h({{"latency_ms", 2}});
  auto wf = h.load(R"(workflow:
  name: ploop
  steps:
    - name: each
      type: for_loop
      iterator: item
      data_source: "{{split('a,b,c,d,e,f,g,h,i,j,k,l', ',')}}"
      parallel: true
      max_parallel: 4
      steps:
        - name: ask
          type: claude
          prompt: "Describe {{item}}"
        - name: mark
          type: set_variable
          variables: {seen: "{{item}}"}
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  const auto& iters = result_of(r, "each").as_object().at("iterations").as_array();
  ASSERT_EQ(iters.size(), 12u);
  for (std::size_t i = 0; i < iters.size(); ++i) {
    const auto& it = iters[i].as_object();
    EXPECT_EQ(it.at("index").to_number<std::size_t>(), i);
    std::string text(it.at("results").as_object().at("ask").as_object().at("text").as_string());
    EXPECT_NE(text.find("Describe " + std::string(it.at("item").as_string())), std::string::npos);
  }
  EXPECT_EQ(r.totals.calls, 12);
  EXPECT_EQ(h.runtime().executor_service().open_scopes(), 0u);
}

TEST(ForLoop, FailedIterationFailsTheStepWithItsReason) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(R"(workflow:
  name: loop
  steps:
    - name: each
      type: for_loop
      iterator: x
      data_source: "{{split('ok,__FAIL__,ok', ',')}}"
      steps:
        - name: echo
          type: test_echo
          value: "{{x}}"
)");
  RunResult r = h.run(wf);
  ASSERT_FALSE(r.success);
  EXPECT_NE(r.error.find("iteration 1 failed at step 'echo'"), std::string::npos) << r.error;
}

// 10,000 items: every iteration runs its body exactly once and the work is linear (one scope,
// the body parsed once). Wall-clock scaling is measured in bench/bm_for_loop.cpp instead.
TEST(ForLoop, TenThousandItems) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(R"(workflow:
  name: big
  steps:
    - name: make
      type: test_echo
      value: "{{split(inputs.range, ',')}}"
    - name: init
      type: set_variable
      variables: {n: 0}
    - name: each
      type: for_loop
      iterator: x
      data_source: steps.make
      steps:
        - name: count
          type: set_variable
          variables: {n: "{{state.n + 1}}"}
)");
  std::string range;
  for (int i = 0; i < 10000; ++i) range += (i ? "," : "") + std::to_string(i);
  ExecutorOptions opts;
  opts.inputs["range"] = range;
  RunResult r = h.run(wf, std::move(opts));
  ASSERT_TRUE(r.success) << r.error;
  const auto& out = result_of(r, "each").as_object();
  EXPECT_EQ(out.at("completed_items").to_number<int>(), 10000);
  EXPECT_EQ(r.variables.at("n").to_number<int>(), 10000);
}

TEST(ForLoop, SubStepsAreValidatedWithTheirLocation) {
  TempDir dir;
  StepHarness h;
  Diagnostics d = h.check(R"(workflow:
  name: bad
  steps:
    - name: each
      type: for_loop
      iterator: x
      data_source: [1]
      steps:
        - name: inner
          type: no_such_type
        - name: p
          type: claude
          prompt:
            - type: previous_response
              step: later
)",
                          "bad.yaml");
  std::string text = d.format();
  EXPECT_NE(text.find("bad.yaml:10:11: error: step 'inner': unknown step type 'no_such_type'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("previous_response names step 'later', which does not exist"),
            std::string::npos)
      << text;
}

TEST(WhileLoop, RunsUntilConditionAndStopsAtMaxIterations) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(R"(workflow:
  name: w
  variables: {i: 0}
  steps:
    - name: loop
      type: while_loop
      condition: "{{state.i < 4}}"
      max_iterations: 10
      steps:
        - name: inc
          type: set_variable
          variables:
            i: "{{state.i + 1}}"
            label: "{{state.i == 0 ? 'first' : 'later'}}"
    - name: forever
      type: while_loop
      condition: "true"
      max_iterations: 3
      steps:
        - name: noop
          type: test_echo
          value: x
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(result_of(r, "loop").as_object().at("iterations").to_number<int>(), 4);
  EXPECT_EQ(r.variables.at("i").to_number<int>(), 4);
  EXPECT_EQ(r.variables.at("label"), json::value("later"));
  const auto& f = result_of(r, "forever").as_object();
  EXPECT_EQ(f.at("iterations").to_number<int>(), 3);
  EXPECT_TRUE(f.at("max_iterations_reached").as_bool());
}

TEST(NestedPipeline, FileAndInlineWithInputsAndOutputs) {
  TempDir dir;
  StepHarness h;
  std::ofstream("child.yaml") << R"(workflow:
  name: child
  steps:
    - name: double
      type: test_echo
      value: "{{multiply(inputs.n, 2)}}"
)";
  auto wf = h.load(R"(workflow:
  name: parent
  steps:
    - name: sub
      type: pipeline
      pipeline_file: child.yaml
      inputs: {n: 21}
      outputs: [double, {path: double, as: answer}]
    - name: inline
      type: pipeline
      pipeline:
        name: inner
        steps:
          - name: echo
            type: test_echo
            value: "got {{inputs.word}}"
      inputs: {word: "{{steps.sub.answer}}"}
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(result_of(r, "sub").as_object().at("answer").to_number<int>(), 42);
  EXPECT_EQ(result_of(r, "inline").as_object().at("echo"), json::value("got 42"));
}

TEST(NestedPipeline, CyclesAreRefused) {
  TempDir dir;
  StepHarness h;
  std::ofstream("a.yaml") << "workflow:\n  name: a\n  steps:\n    - name: to_b\n      type: "
                             "pipeline\n      pipeline_file: b.yaml\n";
  std::ofstream("b.yaml") << "workflow:\n  name: b\n  steps:\n    - name: to_a\n      type: "
                             "pipeline\n      pipeline_file: a.yaml\n";
  Diagnostics d;
  auto wf = load_workflow("a.yaml", d);
  ASSERT_TRUE(wf);
  RunResult r = h.run(*wf);
  ASSERT_FALSE(r.success);
  EXPECT_NE(r.error.find("nested pipeline cycle"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("a.yaml"), std::string::npos) << r.error;
}

TEST(NestedPipeline, DepthLimitIsRefused) {
  TempDir dir;
  StepHarness h;
  for (int i = 0; i < 5; ++i) {
    std::ofstream("p" + std::to_string(i) + ".yaml")
        << "workflow:\n  name: p" << i << "\n  steps:\n    - name: next\n      type: pipeline\n"
        << "      max_depth: 3\n      pipeline_file: p" << i + 1 << ".yaml\n";
  }
  std::ofstream("p5.yaml")
      << "workflow:\n  name: p5\n  steps:\n    - name: e\n      type: test_echo\n      value: x\n";
  Diagnostics d;
  auto wf = load_workflow("p0.yaml", d);
  ASSERT_TRUE(wf);
  RunResult r = h.run(*wf);
  ASSERT_FALSE(r.success);
  EXPECT_NE(r.error.find("depth 4 exceeds max_depth 3"), std::string::npos) << r.error;
}

TEST(ExecutorService, RejectsCallsFromOutsideAStep) {
  StepHarness h;
  const auto* svc = reinterpret_cast<const pl_executor_service_v1*>(
      h.runtime().plugins().service(PL_SERVICE_EXECUTOR, 1));
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->header.struct_size, sizeof(pl_executor_service_v1));
  pl_call_context stray{};
  uint64_t id = 0;
  pipeline::sdk::StringBuffer err;
  EXPECT_EQ(svc->open_scope(svc->header.host_data, &stray, "{}", 2, &id, err.get()),
            PL_FAILED_PRECONDITION);
  EXPECT_NE(err.str().find("not that of a running step"), std::string::npos);
}

}  // namespace
}  // namespace pipeline::testing
