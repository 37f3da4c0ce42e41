// The LLM step types through the real llm_steps plugin and the mock provider.
#include "step_harness.hpp"

namespace pipeline::testing {
namespace {

json::object replies(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  json::array list;
  for (auto& [match, reply] : pairs)
    list.push_back(json::object{{"match", match}, {"reply", reply}});
  return json::object{{"replies", list}};
}

TEST(ClaudeBatch, TasksRunInParallelWithConsolidatedResults) {
  TempDir dir;
  StepHarness h({{"latency_ms", 5}});
  auto wf = h.load(R"(workflow:
  name: batch
  steps:
    - name: b
      type: claude_batch
      batch_config: {max_parallel: 3, consolidate_results: true}
      tasks:
        - {task_id: t1, prompt: [{type: static, content: "one"}]}
        - {task_id: t2, prompt: [{type: static, content: "two {{1 + 1}}"}]}
        - {task_id: t3, prompt: "three"}
        - {task_id: t4, prompt: [{type: static, content: "four"}]}
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  const auto& out = result_of(r, "b").as_object();
  EXPECT_EQ(out.at("tasks").as_array().size(), 4u);
  std::string t2(out.at("results").as_object().at("t2").as_object().at("text").as_string());
  EXPECT_NE(t2.find("two 2"), std::string::npos) << t2;
  EXPECT_NE(std::string(out.at("consolidated").as_string()).find("## t4"), std::string::npos);
  EXPECT_EQ(r.totals.calls, 4);
}

TEST(ParallelClaude, IndividualAndCombinedResultsWithPreviousResponse) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(R"(workflow:
  name: par
  steps:
    - name: first
      type: claude
      prompt: "base"
    - name: p
      type: parallel_claude
      parallel_tasks:
        - id: docs
          prompt: [{type: static, content: "Docs for:"}, {type: previous_response, step: first}]
          output_to_file: docs.md
        - id: tests
          claude_options: {allowed_tools: [Write]}
          prompt: [{type: static, content: "Tests"}]
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  const auto& out = result_of(r, "p").as_object();
  std::string docs(out.at("individual").as_object().at("docs").as_object().at("text").as_string());
  EXPECT_NE(docs.find("Mock response to: base"), std::string::npos) << docs;
  EXPECT_NE(std::string(out.at("combined").as_string()).find("## tests"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists("outputs/docs.md"));
  Diagnostics d = h.check(
      "workflow:\n  name: p\n  steps:\n    - name: p\n      type: parallel_claude\n"
      "      parallel_tasks:\n        - id: a\n          prompt: x\n"
      "          claude_options: {cwd: /tmp}\n");
  EXPECT_NE(d.format().find("claude_options.cwd is not supported"), std::string::npos)
      << d.format();
}

TEST(ClaudeRobust, RetriesWithBackoffThenSucceeds) {
  TempDir dir;
  StepHarness h(
      {{"failures", json::object{{"rate", 1.0}, {"count", 2}, {"status", "UNAVAILABLE"}}}});
  auto wf = h.load(R"(workflow:
  name: robust
  steps:
    - name: r
      type: claude_robust
      retry_config: {max_retries: 3, backoff_strategy: linear, base_delay_ms: 1, retry_conditions: [api_error]}
      prompt: "hello"
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(result_of(r, "r").as_object().at("attempts").to_number<int>(), 3);
}

TEST(ClaudeRobust, FallbackActionsWhenRetriesRunOut) {
  TempDir dir;
  StepHarness h({{"failures", json::object{{"rate", 1.0}, {"status", "UNAVAILABLE"}}}});
  auto wf = h.load(R"(workflow:
  name: robust
  steps:
    - name: emergency
      type: claude_robust
      retry_config: {max_retries: 1, backoff_strategy: fixed, base_delay_ms: 1, fallback_action: emergency_response}
      prompt: "hello"
    - name: degraded
      type: claude_robust
      retry_config: {max_retries: 0, fallback_action: graceful_degradation}
      prompt: "hello"
    - name: hard
      type: claude_robust
      retry_config: {max_retries: 1, base_delay_ms: 1}
      prompt: "hello"
)");
  RunResult r = h.run(wf);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.failed_step, "hard");
  EXPECT_EQ(result_of(r, "emergency").as_object().at("attempts").to_number<int>(), 2);
  EXPECT_TRUE(result_of(r, "degraded").as_object().at("degraded").as_bool());
}

TEST(ClaudeSession, ConversationPersistsAcrossStepsAndRuns) {
  TempDir dir;
  StepHarness h;
  auto yaml = R"(workflow:
  name: sess
  steps:
    - name: s1
      type: claude_session
      session_config: {session_name: tutor, persist: true}
      prompt: "first"
    - name: s2
      type: claude_session
      session_config: {session_name: tutor, persist: true}
      prompt: "second"
)";
  auto wf = h.load(yaml);
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(result_of(r, "s2").as_object().at("turn").to_number<int>(), 2);
  StepHarness fresh;  // a new run: the session comes back from the workspace
  RunResult again = fresh.run(fresh.load(yaml));
  ASSERT_TRUE(again.success) << again.error;
  EXPECT_EQ(result_of(again, "s2").as_object().at("turn").to_number<int>(), 4);
  EXPECT_TRUE(std::filesystem::exists("workspace/.pipeline_sessions/tutor.json"));
}

TEST(ClaudeExtract, FormatsAndPostProcessing) {
  TempDir dir;
  StepHarness h(replies({{"article", R"(# Title
- Use venv
- You should pin versions
See https://docs.python.org/3/ now.
```python
print(1)
```
```json
{"colors": ["red"]}
```)"}}));
  auto wf = h.load(R"(workflow:
  name: ex
  steps:
    - name: e
      type: claude_extract
      extraction_config:
        format: json
        post_processing: [extract_code_blocks, extract_links, extract_key_points, extract_recommendations, generate_summary]
        max_summary_length: 20
        include_metadata: true
      prompt: "article"
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  const auto& o = result_of(r, "e").as_object();
  EXPECT_EQ(o.at("extracted").as_object().at("colors").as_array().size(), 1u);
  EXPECT_EQ(o.at("extract_code_blocks").as_array().size(), 2u);
  EXPECT_EQ(o.at("extract_links").as_array()[0], json::value("https://docs.python.org/3/"));
  EXPECT_EQ(o.at("extract_key_points").as_array().size(), 2u);
  EXPECT_EQ(o.at("extract_recommendations").as_array().size(), 1u);
  EXPECT_TRUE(o.contains("metadata"));
}

TEST(ClaudeExtract, HugeCodeBlocksAndLinksAreExtractedWithoutRecursion) {
  TempDir dir;
  std::string code(80 * 1024, 'x');
  for (std::size_t i = 79; i < code.size(); i += 80) code[i] = '\n';
  std::string links;
  for (int i = 0; i < 2000; ++i) links += "https://example.com/" + std::to_string(i) + " ";
  std::string reply = "```cpp\n" + code + "```\n" + links + "\n1) You should test\n";
  StepHarness h(
      json::object{{"replies", json::array{json::object{{"match", "big"}, {"reply", reply}}}}});
  auto wf = h.load(R"(workflow:
  name: ex
  steps:
    - name: e
      type: claude_extract
      extraction_config:
        post_processing: [extract_code_blocks, extract_links, extract_key_points, extract_recommendations]
      prompt: "big"
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  const auto& o = result_of(r, "e").as_object();
  ASSERT_EQ(o.at("extract_code_blocks").as_array().size(), 1u);
  const auto& block = o.at("extract_code_blocks").as_array()[0].as_object();
  EXPECT_EQ(block.at("language"), json::value("cpp"));
  EXPECT_EQ(block.at("code").as_string().size(), code.size());
  EXPECT_EQ(o.at("extract_links").as_array().size(), 2000u);
  EXPECT_EQ(o.at("extract_key_points").as_array()[0], json::value("You should test"));
  EXPECT_EQ(o.at("extract_recommendations").as_array().size(), 1u);
}

TEST(LlmSteps, AStepWithoutAPromptIsRejectedAsInPipelineEx) {
  TempDir dir;
  StepHarness h;
  Diagnostics d = h.check(R"(workflow:
  name: np
  steps:
    - name: s
      type: claude_session
      session_config: {session_name: x}
    - name: c
      type: claude
)");
  std::string all = d.format();
  EXPECT_NE(all.find("step 's' (claude_session), field 'prompt': missing required 'prompt'"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("step 'c' (claude), field 'prompt'"), std::string::npos) << all;
}

TEST(LlmSteps, APromptThatRendersEmptyFailsTheStep) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(R"(workflow:
  name: empty
  steps:
    - name: c
      type: claude
      prompt: [{type: static, content: "{{ inputs.nothing }}"}]
)");
  RunResult r = h.run(wf);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("the prompt renders empty"), std::string::npos) << r.error;
  EXPECT_EQ(r.totals.calls, 0);
}

TEST(GeminiInstructor, FunctionsBecomeStructuredOutput) {
  TempDir dir;
  StepHarness h(replies({{"Assess", R"({"quality_score": 8, "issues": []})"}}));
  auto wf = h.load(R"(workflow:
  name: gi
  gemini_functions:
    assess:
      description: "score"
      parameters: {type: object, properties: {quality_score: {type: integer}}, required: [quality_score, issues, extra]}
  steps:
    - name: g
      type: gemini_instructor
      functions: [assess]
      prompt: "Assess it"
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  const auto& o = result_of(r, "g").as_object();
  EXPECT_EQ(o.at("quality_score").to_number<int>(), 8);
  EXPECT_EQ(o.at("function"), json::value("assess"));
  EXPECT_EQ(o.at("missing_required").as_array().size(), 1u);
}

TEST(ClaudeSmart, PresetsAndAgentOptionWarnings) {
  TempDir dir;
  StepHarness h;
  Diagnostics d = h.check(R"(workflow:
  name: smart
  defaults: {claude_preset: chat}
  steps:
    - name: s
      type: claude_smart
      preset: analysis
      claude_options:
        max_turns: 2
        allowed_tools: [Read]
        mcp_servers: {}
      prompt: "x"
    - name: bad
      type: claude_smart
      preset: turbo
      prompt: "y"
)",
                          "smart.yaml");
  std::string text = d.format();
  EXPECT_NE(text.find("smart.yaml:10:9: warning: step 's' (claude_smart), field "
                      "'claude_options.allowed_tools'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("claude_options.mcp_servers is not supported"), std::string::npos);
  EXPECT_NE(text.find("unknown preset 'turbo'"), std::string::npos);
  auto wf = h.load(
      "workflow:\n  name: s\n  defaults: {claude_preset: chat}\n  steps:\n    - name: s\n      "
      "type: claude_smart\n      prompt: hi\n");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(result_of(r, "s").as_object().at("preset"), json::value("chat"));
}

}  // namespace
}  // namespace pipeline::testing
