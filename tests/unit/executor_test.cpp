// The executor end to end in-process: real plugins, real provider (mock) calls, interpolation,
// conditions, extract, set_variable, output files, and failures.
#include "workflow_harness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string text_of(const RunResult& r, const std::string& step) {
  const auto* v = r.results.if_contains(step);
  return v ? result_text(*v) : "<no result>";
}

HostConfig scripted(const std::string& replies_json) {
  HostConfig cfg = testing::test_host_config();
  cfg.providers["mock"].settings = json::parse(replies_json).as_object();
  return cfg;
}

fs::path temp_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("pipeline-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(Executor, InterpolatesVariablesGlobalsInputsAndStepResults) {
  ExecutorOptions opts;
  opts.inputs["who"] = "Grace";
  RunResult r = testing::run(R"(workflow:
  name: interp
  global_vars: {greeting: Hello}
  steps:
    - name: setup
      type: set_variable
      variables: {count: "{{ 2 * 3 }}", label: "n={{inputs.who}}"}
    - name: ask
      type: claude
      prompt:
        - type: static
          content: "{{global_vars.greeting}} {{inputs.who}}, count={{count}}, {{state.label}}"
)",
                             std::move(opts));
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.variables.at("count"), json::value(6));
  EXPECT_EQ(text_of(r, "ask"), "Mock response to: Hello Grace, count=6, n=Grace");
}

TEST(Executor, FalseConditionSkipsTheStepWithAReason) {
  RunResult r = testing::run(R"(workflow:
  name: cond
  steps:
    - name: flags
      type: set_variable
      variables: {enabled: false, level: 3}
    - name: skipped_one
      type: claude
      condition: "enabled and level > 1"
      prompt: [{type: static, content: never}]
    - name: runs
      type: claude
      condition: {or: ["enabled", "level >= 3"]}
      prompt: [{type: static, content: always}]
)");
  ASSERT_TRUE(r.success) << r.error;
  ASSERT_EQ(r.steps.size(), 3u);
  EXPECT_EQ(r.steps[1].state, StepOutcome::State::kSkipped);
  EXPECT_THAT(r.steps[1].reason, HasSubstr("enabled and level > 1"));
  EXPECT_THAT(r.steps[1].reason, HasSubstr("is false"));
  EXPECT_FALSE(r.results.contains("skipped_one"));
  EXPECT_EQ(r.steps[2].state, StepOutcome::State::kCompleted);
  EXPECT_EQ(r.totals.calls, 1);
}

TEST(Executor, PreviousResponseExtractReadsFieldsOfJsonReplies) {
  HostConfig cfg = scripted(R"({"replies": [
      {"match": "^Review", "reply": {"score": 8, "issues": ["slow loop", "no tests"]}},
      {"match": "Issues:", "reply": "echo"}]})");
  RunResult r = testing::run(R"(workflow:
  name: extract
  steps:
    - name: review
      type: gemini
      prompt: [{type: static, content: "Review the code"}]
    - name: fix
      type: claude
      condition: "steps.review.score >= 5"
      prompt:
        - type: static
          content: "Issues:"
        - type: previous_response
          step: review
          extract: issues
        - type: static
          content: "first={{steps.review.issues[0]}}"
)",
                             {}, cfg);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.steps[1].state, StepOutcome::State::kCompleted);
  EXPECT_EQ(text_of(r, "fix"), "echo");
}

TEST(Executor, RenderedPromptReachesTheProvider) {
  // The default mock reply echoes the prompt, so the test sees exactly what was sent.
  RunResult r = testing::run(R"(workflow:
  name: parts
  steps:
    - name: a
      type: claude
      prompt: [{type: static, content: "alpha"}]
    - name: b
      type: claude
      prompt:
        - type: static
          content: "Given:"
        - type: previous_response
          step: a
)");
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(text_of(r, "b"), "Mock response to: Given: Mock response to: alpha");
}

TEST(Executor, FilePromptPartReadsTheFile) {
  fs::path dir = temp_dir("file-part");
  std::ofstream(dir / "req.txt") << "requirements here";
  RunResult r = testing::run(R"(workflow:
  name: f
  steps:
    - name: a
      type: claude
      prompt:
        - type: file
          path: ")" + (dir / "req.txt").string() +
                             R"("
)");
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(text_of(r, "a"), "Mock response to: requirements here");
}

TEST(Executor, MissingPromptFileFailsTheStepNamingThePath) {
  RunResult r = testing::run(R"(workflow:
  name: f
  steps:
    - name: a
      type: claude
      prompt: [{type: file, path: /nonexistent/prompt.txt}]
)");
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.failed_step, "a");
  EXPECT_THAT(r.error, HasSubstr("/nonexistent/prompt.txt"));
}

TEST(Executor, OutputToFileWritesAtomicallyIntoTheOutputDir) {
  fs::path dir = temp_dir("out");
  ExecutorOptions opts;
  opts.output_dir = dir;
  RunResult r = testing::run(R"(workflow:
  name: out
  steps:
    - name: a
      type: claude
      prompt: [{type: static, content: "save me"}]
      output_to_file: a.txt
    - name: b
      type: claude
      prompt: [{type: static, content: "as json"}]
      output_to_file: nested/b.json
)",
                             std::move(opts));
  ASSERT_TRUE(r.success) << r.error;
  std::ifstream a(dir / "a.txt");
  std::string content((std::istreambuf_iterator<char>(a)), {});
  EXPECT_EQ(content, "Mock response to: save me");
  std::ifstream b(dir / "nested" / "b.json");
  std::string json_text((std::istreambuf_iterator<char>(b)), {});
  auto doc = parse_json(json_text);
  ASSERT_TRUE(doc) << json_text;
  EXPECT_EQ(doc->at("text"), json::value("Mock response to: as json"));
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    EXPECT_THAT(e.path().string(), ::testing::Not(HasSubstr(".tmp.")));
  }
}

TEST(Executor, ProviderFailureFailsTheRunAndStopsIt) {
  HostConfig cfg = scripted(R"({"failures": {"rate": 1.0, "after_calls": 1, "status": "UNAVAILABLE",
                                "class": "overloaded", "http_status": 529, "message": "try later"}})");
  RunResult r = testing::run(R"(workflow:
  name: fail
  steps:
    - name: ok
      type: claude
      prompt: [{type: static, content: one}]
    - name: broken
      type: claude
      prompt: [{type: static, content: two}]
    - name: never
      type: claude
      prompt: [{type: static, content: three}]
)",
                             {}, cfg);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.failed_step, "broken");
  EXPECT_THAT(r.error, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(r.error, HasSubstr("overloaded"));
  EXPECT_THAT(r.error, HasSubstr("try later"));
  EXPECT_EQ(r.steps.size(), 2u);
  EXPECT_TRUE(r.results.contains("ok"));  // what completed is kept
}

TEST(Executor, PluginReturningMalformedJsonIsAnErrorNamingThePlugin) {
  RunResult r = testing::run(R"(workflow:
  name: bad
  steps:
    - name: a
      type: bad_json
)");
  EXPECT_FALSE(r.success);
  EXPECT_THAT(r.error, HasSubstr("malformed result"));
  EXPECT_THAT(r.error, HasSubstr("libpipeline_fixture_misbehaving.so"));
}

TEST(Executor, ThrowingPluginFailsTheStepNotTheProcess) {
  RunResult r = testing::run(R"(workflow:
  name: throws
  steps:
    - name: a
      type: throws
)");
  EXPECT_FALSE(r.success);
  EXPECT_THAT(r.error, HasSubstr("boom from a careless plugin"));
}

TEST(Executor, UnknownVariableWarnsNamingStepAndVariable) {
  RunResult r = testing::run(R"(workflow:
  name: warn
  steps:
    - name: talk
      type: claude
      prompt: [{type: static, content: "Hi {{nobody.here}}"}]
)");
  ASSERT_TRUE(r.success) << r.error;
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("step 'talk'"));
  EXPECT_THAT(r.warnings[0], HasSubstr("unknown variable 'nobody.here'"));
  EXPECT_EQ(text_of(r, "talk"), "Mock response to: Hi ");
}

TEST(Executor, SameRequestGivesTheSameReply) {
  const char* wf = R"(workflow:
  name: det
  steps:
    - name: a
      type: gemini
      prompt: [{type: static, content: "deterministic?"}]
)";
  RunResult a = testing::run(wf);
  RunResult b = testing::run(wf);
  ASSERT_TRUE(a.success && b.success);
  EXPECT_EQ(json::serialize(a.results.at("a").at("text")),
            json::serialize(b.results.at("a").at("text")));
  EXPECT_EQ(a.results.at("a").at("request_id"), b.results.at("a").at("request_id"));
}

TEST(Executor, CancelledRunStopsBeforeTheNextStep) {
  ExecutorOptions opts;
  opts.cancel.cancel();
  RunResult r = testing::run(R"(workflow:
  name: c
  steps:
    - name: a
      type: set_variable
      variables: {x: 1}
)",
                             std::move(opts));
  EXPECT_FALSE(r.success);
  EXPECT_TRUE(r.cancelled);
  EXPECT_TRUE(r.steps.empty());
}

}  // namespace
}  // namespace pipeline

namespace pipeline {
namespace {

TEST(ExecutorCache, ErrorsAreNotCachedAndSuccessesAnswerReruns) {
  fs::path dir = temp_dir("cache");
  HostConfig cfg = testing::test_host_config();
  cfg.plugin_allowlist.push_back("cache_memory");
  cfg.plugin_allowlist.push_back("cache_sqlite");
  cfg.cache =
      json::parse(
          R"({"levels": [{"backend": "memory"}, {"backend": "sqlite", "config": {"path": ")" +
          (dir / "r.sqlite").string() + R"("}}]})")
          .as_object();
  cfg.providers["mock"].settings =
      json::parse(R"({"failures": {"rate": 1.0, "count": 1}})").as_object();
  auto l = testing::load(R"(workflow:
  name: cached
  steps:
    - name: a
      type: claude
      prompt: [{type: static, content: "same question"}]
)",
                         cfg);
  ASSERT_FALSE(l->diags.has_errors()) << l->diags.format();
  Diagnostics d;
  ASSERT_TRUE(l->runtime->start(d)) << d.format();
  ASSERT_TRUE(l->runtime->cache());

  RunResult first = Executor(*l->runtime, {}).run(*l->workflow);
  EXPECT_FALSE(first.success);  // the injected failure; it must not be stored
  RunResult second = Executor(*l->runtime, {}).run(*l->workflow);
  ASSERT_TRUE(second.success) << second.error;
  EXPECT_FALSE(second.results.at("a").as_object().contains("cached"));
  RunResult third = Executor(*l->runtime, {}).run(*l->workflow);
  ASSERT_TRUE(third.success) << third.error;
  EXPECT_EQ(third.results.at("a").at("cached"), json::value(true));
  EXPECT_EQ(third.results.at("a").at("text"), second.results.at("a").at("text"));
  auto totals = l->runtime->lifetime_totals();
  EXPECT_EQ(totals.calls, 2);  // one failure, one success; the third run made no call
  EXPECT_EQ(totals.cache_hits, 1);
}

HostConfig with_third_party(HostConfig cfg = testing::test_host_config()) {
  cfg.plugin_allowlist.push_back("fixture_third_party");
  cfg.providers["own"] = {"own", "mock", json::object{{"model", "own-model"}}, {"<test>", 0, 0}};
  cfg.step_providers["third_party_ask"] = "own";
  return cfg;
}

TEST(ExecutionRecords, AThirdPartyStepsCallGoesToItsOwnStepProviderEntry) {
  RunResult r = testing::run(R"(workflow:
  name: third_party
  steps:
    - name: ask
      type: third_party_ask
      prompt: [{type: static, content: "who answers?"}]
    - name: builtin
      type: claude
      prompt: [{type: static, content: "and here?"}]
)",
                             {}, with_third_party());
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.results.at("ask").at("model"), json::value("own-model"));
  ASSERT_EQ(r.steps.size(), 2u);
  // Attributed to the step although the plugin said nothing about it.
  EXPECT_EQ(r.steps[0].record.provider, "own");
  EXPECT_EQ(r.steps[0].record.model, "own-model");
  EXPECT_EQ(r.steps[0].record.calls.calls, 1);
  EXPECT_GT(r.steps[0].record.calls.input_tokens, 0);
  EXPECT_EQ(r.steps[1].record.provider, "mock");
  EXPECT_EQ(r.steps[1].record.model, "mock-1");
}

TEST(ExecutionRecords, EachStepCarriesItsModeLatencyTokensAndCalls) {
  RunResult r = testing::run(R"(workflow:
  name: records
  steps:
    - name: ask
      type: claude
      prompt: [{type: static, content: "count my tokens please"}]
    - name: plain
      type: set_variable
      variables: {x: 1}
)");
  ASSERT_TRUE(r.success) << r.error;
  const ExecutionRecord& ask = r.steps[0].record;
  EXPECT_EQ(ask.mode, "traditional");
  EXPECT_EQ(ask.calls.calls, 1);
  EXPECT_EQ(ask.calls.attempts, 1);
  EXPECT_EQ(ask.calls.input_tokens, 6);  // 22 chars of prompt, about 6 tokens
  EXPECT_GT(ask.calls.output_tokens, 0);
  EXPECT_DOUBLE_EQ(ask.latency_ms, r.steps[0].duration_ms);
  EXPECT_TRUE(ask.error_class.empty());
  const ExecutionRecord& plain = r.steps[1].record;
  EXPECT_EQ(plain.calls.calls, 0);
  EXPECT_TRUE(plain.provider.empty());
  EXPECT_EQ(r.totals.calls, 1);
  EXPECT_EQ(r.totals.input_tokens, ask.calls.input_tokens);
}

TEST(ExecutionRecords, AFailedCallGivesTheStepItsErrorClass) {
  HostConfig cfg = testing::test_host_config();
  cfg.providers["mock"].settings =
      json::parse(R"({"failures": {"rate": 1.0, "class": "overloaded"}})").as_object();
  RunResult r = testing::run(R"(workflow:
  name: fails
  steps:
    - name: ask
      type: claude
      prompt: [{type: static, content: "x"}]
)",
                             {}, cfg);
  ASSERT_FALSE(r.success);
  EXPECT_EQ(r.steps[0].record.error_class, "overloaded");
  EXPECT_EQ(r.steps[0].record.calls.failures, 1);
  EXPECT_EQ(r.totals.failures, 1);
}

TEST(ExecutionRecords, ABadProviderReplyFailsTheStepAsBadResponse) {
  HostConfig cfg = with_third_party();
  cfg.providers["own"] = {"own",
                          "scripted_reply",
                          json::object{{"reply", R"({"text":"hi","output_tokens":"lots"})"}},
                          {"<test>", 0, 0}};
  RunResult r = testing::run(R"(workflow:
  name: bad_reply
  steps:
    - name: ask
      type: third_party_ask
)",
                             {}, cfg);
  ASSERT_FALSE(r.success);
  EXPECT_THAT(r.error, HasSubstr("bad_response"));
  EXPECT_THAT(r.error, HasSubstr("non-numeric"));
  EXPECT_EQ(r.steps[0].record.error_class, "bad_response");
}

TEST(ExecutionRecords, ALoopStepsRecordIncludesItsSubStepsCalls) {
  RunResult r = testing::run(R"(workflow:
  name: loop
  global_vars: {items: [a, b, c]}
  steps:
    - name: each
      type: for_loop
      iterator: item
      data_source: global_vars.items
      steps:
        - name: ask
          type: claude
          prompt: [{type: static, content: "item {{loop.item}}"}]
)",
                             {}, [] {
                               HostConfig cfg = testing::test_host_config();
                               cfg.plugin_allowlist.push_back("control_steps");
                               return cfg;
                             }());
  ASSERT_TRUE(r.success) << r.error;
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].record.calls.calls, 3);
  EXPECT_EQ(r.steps[0].record.provider, "mock");
  EXPECT_EQ(r.totals.calls, 3);
}

TEST(ExecutionRecords, TwoRunsOnOneRuntimeEachCountOnlyTheirOwnCalls) {
  auto l = testing::load(R"(workflow:
  name: twice
  steps:
    - name: a
      type: claude
      prompt: [{type: static, content: "one"}]
    - name: b
      type: claude
      prompt: [{type: static, content: "two"}]
)");
  ASSERT_FALSE(l->diags.has_errors()) << l->diags.format();
  Diagnostics d;
  ASSERT_TRUE(l->runtime->start(d)) << d.format();
  RunResult first = Executor(*l->runtime, {}).run(*l->workflow);
  RunResult second = Executor(*l->runtime, {}).run(*l->workflow);
  ASSERT_TRUE(first.success && second.success);
  EXPECT_EQ(first.totals.calls, 2);
  EXPECT_EQ(second.totals.calls, 2);
  EXPECT_EQ(second.totals.input_tokens, first.totals.input_tokens);
  EXPECT_EQ(l->runtime->lifetime_totals().calls, 4);
}

TEST(WorkflowSections, ReachEveryStepUnderInputWorkflowSections) {
  RunResult r = testing::run(R"(workflow:
  name: sections
  gemini_functions: {lookup: {description: "find a thing"}}
  my_plugin_settings: {colour: blue}
  global_vars: {x: 1}
  steps:
    - name: look
      type: third_party_sections
)",
                             {}, with_third_party());
  ASSERT_TRUE(r.success) << r.error;
  const json::object& got = r.results.at("look").as_object();
  EXPECT_EQ(got.at("gemini_functions").at("lookup").at("description"), json::value("find a thing"));
  EXPECT_EQ(got.at("my_plugin_settings").at("colour"), json::value("blue"));
  // What the framework reads itself is not a section.
  EXPECT_FALSE(got.contains("steps"));
  EXPECT_FALSE(got.contains("global_vars"));
  EXPECT_FALSE(got.contains("name"));
}

}  // namespace
}  // namespace pipeline
