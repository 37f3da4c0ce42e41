// End to end: the fallback chain's provider hops, through the built `pipeline` binary, real
// openai provider instances and the loopback mock LLM server's faults. The primary instance
// sends `x-mock-fault` on every request (the fault under test); the backup sends none.
#include "process.hpp"

#include <mock_llm_server/mock_llm_server.hpp>

#include <pipeline/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ProcessResult;

const char* kWorkflow = R"(workflow:
  name: fallback
  steps:
    - name: ask
      type: claude
      prompt:
        - type: static
          content: "first question"
)";

const char* kThreeSteps = R"(workflow:
  name: fallback_cooldown
  steps:
    - name: one
      type: claude
      prompt: [{type: static, content: "first"}]
    - name: two
      type: claude
      prompt: [{type: static, content: "second"}]
    - name: three
      type: claude
      prompt: [{type: static, content: "third"}]
)";

class FallbackE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-fallback-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    server_.start();
  }
  void TearDown() override {
    server_.stop();
    fs::remove_all(dir_);
  }

  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  std::string instance(const std::string& fault, int first_byte_timeout_ms) {
    std::string s = "{plugin: openai, base_url: \"" + server_.base_url() +
                    "/v1\", model: gpt-4o-mini, max_attempts: 1, stream: false, "
                    "first_byte_timeout_ms: " +
                    std::to_string(first_byte_timeout_ms);
    if (!fault.empty()) s += ", headers: {x-mock-fault: \"" + fault + "\"}";
    return s + "}";
  }
  // A host config: primary (with `fault`) serves every step; `fallback` is the section's body.
  fs::path host(const std::string& fault, const std::string& fallback) {
    std::string y = "providers:\n  primary: " + instance(fault, 300) +
                    "\n  backup: " + instance("", 20000) +
                    "\nstep_providers:\n  default: primary\ncache: {mode: off}\n";
    if (!fallback.empty()) y += "fallback:\n" + fallback;
    return write("host.yaml", y);
  }
  ProcessResult run(const fs::path& cfg, const char* workflow = kWorkflow) {
    fs::path wf = write("wf.yaml", workflow);
    std::vector<std::string> args = {"/usr/bin/timeout",
                                     "-s",
                                     "KILL",
                                     "60",
                                     PIPELINE_BINARY,
                                     "run",
                                     wf.string(),
                                     "--config",
                                     cfg.string(),
                                     "--output-dir",
                                     (dir_ / "out").string(),
                                     "--json"};
    return testing::run_process(args,
                                {{"PIPELINE_CONFIG", ""},
                                 {"XDG_CONFIG_HOME", dir_.string()},
                                 {"XDG_CACHE_HOME", (dir_ / "cache").string()},
                                 {"TEST_MODE", ""}},
                                PIPELINE_SOURCE_DIR);
  }
  // Requests the primary instance sent (they carry the fault header).
  size_t primary_requests() const {
    size_t n = 0;
    for (const auto& r : server_.requests()) n += r.header("x-mock-fault").empty() ? 0 : 1;
    return n;
  }
  size_t backup_requests() const { return server_.requests().size() - primary_requests(); }

  static const json::object& step(const json::value& out, std::size_t i) {
    return out.at("steps").as_array().at(i).as_object();
  }

  fs::path dir_;
  testing::MockLlmServer server_;
};

const char* kChain = "  chain: [traditional, {provider: backup}]\n";

TEST_F(FallbackE2e, EveryProviderFaultMovesTheStepToTheBackup) {
  const std::vector<std::pair<std::string, std::string>> faults = {
      {"rate_limit", "rate_limited"},
      {"overloaded", "overloaded"},
      {"server_error", "server_error"},
      {"truncate", "network"},
      {"slow_first_byte;ms=2000", "timeout"}};
  for (const auto& [fault, cls] : faults) {
    server_.clear_requests();
    ProcessResult r = run(host(fault, kChain));
    ASSERT_EQ(r.exit_code, 0) << fault << "\n" << r.err << r.out;
    auto out = parse_json(r.out);
    ASSERT_TRUE(out) << r.out;
    const json::object& rec = step(*out, 0).at("record").as_object();
    EXPECT_EQ(rec.at("provider").as_string(), "backup") << fault;
    EXPECT_EQ(rec.at("fallback_hops").to_number<int64_t>(), 1) << fault;
    EXPECT_EQ(rec.at("llm_failures").to_number<int64_t>(), 0) << fault;
    const json::array& hops = rec.at("fallbacks").as_array();
    ASSERT_EQ(hops.size(), 1u) << fault;
    const json::object& hop = hops[0].as_object();
    EXPECT_EQ(hop.at("from").as_string(), "primary");
    EXPECT_EQ(hop.at("to").as_string(), "backup");
    EXPECT_EQ(hop.at("class").as_string(), cls) << fault;
    EXPECT_FALSE(hop.at("message").as_string().empty()) << fault;
    EXPECT_EQ(out->at("totals").at("fallback_hops").to_number<int64_t>(), 1) << fault;
    EXPECT_THAT(serialize(out->at("results").at("ask")), HasSubstr("echo: first question"));
    EXPECT_EQ(primary_requests(), 1u) << fault;
    EXPECT_EQ(backup_requests(), 1u) << fault;
    EXPECT_THAT(r.err, HasSubstr("fallback primary -> backup (" + cls + ")")) << "logged";
  }
}

TEST_F(FallbackE2e, AuthInvalidRequestAndContextWindowPropagate) {
  const std::vector<std::pair<std::string, std::string>> faults = {
      {"auth", "auth"},
      {"status;code=400", "invalid_request"},
      {"context_window", "context_window"}};
  for (const auto& [fault, cls] : faults) {
    server_.clear_requests();
    ProcessResult r = run(host(fault, kChain));
    EXPECT_EQ(r.exit_code, 1) << fault << "\n" << r.err << r.out;
    auto out = parse_json(r.out);
    ASSERT_TRUE(out) << r.out;
    const json::object& rec = step(*out, 0).at("record").as_object();
    EXPECT_EQ(rec.at("error_class").as_string(), cls) << fault;
    EXPECT_FALSE(rec.contains("fallbacks")) << fault;
    EXPECT_FALSE(out->at("totals").as_object().contains("fallback_hops"));
    EXPECT_EQ(primary_requests(), 1u) << fault;
    EXPECT_EQ(backup_requests(), 0u) << fault;
  }
}

TEST_F(FallbackE2e, OnNamingAuthMovesAnAuthFailure) {
  ProcessResult r = run(host("auth", std::string(kChain) + "  on: [auth]\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto out = parse_json(r.out);
  ASSERT_TRUE(out);
  const json::object& rec = step(*out, 0).at("record").as_object();
  EXPECT_EQ(rec.at("provider").as_string(), "backup");
  EXPECT_EQ(rec.at("fallbacks").as_array()[0].at("class").as_string(), "auth");
}

TEST_F(FallbackE2e, FallbackEnabledFalseKeepsAWorkflowOffTheChain) {
  const std::string off =
      std::string(kWorkflow) + "  hybrid_config:\n    fallback_enabled: false\n";
  ProcessResult r = run(host("rate_limit", kChain), off.c_str());
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  auto out = parse_json(r.out);
  ASSERT_TRUE(out) << r.out;
  const json::object& rec = step(*out, 0).at("record").as_object();
  EXPECT_EQ(rec.at("error_class").as_string(), "rate_limited");
  EXPECT_FALSE(rec.contains("fallbacks"));
  EXPECT_EQ(backup_requests(), 0u);
  // A step's own hybrid_config overrides the workflow's, key by key.
  server_.clear_requests();
  const std::string step_on = std::string(kWorkflow) +
                              "      hybrid_config: {fallback_enabled: true}\n"
                              "  hybrid_config:\n    fallback_enabled: false\n";
  ProcessResult on = run(host("rate_limit", kChain), step_on.c_str());
  EXPECT_EQ(on.exit_code, 0) << on.err << on.out;
  EXPECT_EQ(backup_requests(), 1u);
}

TEST_F(FallbackE2e, WithoutAFallbackSectionAProviderFaultFailsTheStepAsBefore) {
  ProcessResult r = run(host("rate_limit", ""));
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  auto out = parse_json(r.out);
  ASSERT_TRUE(out) << r.out;
  const json::object& rec = step(*out, 0).at("record").as_object();
  EXPECT_EQ(rec.at("error_class").as_string(), "rate_limited");
  EXPECT_FALSE(rec.contains("fallbacks"));
  EXPECT_EQ(backup_requests(), 0u) << "an instance no step is wired to is not even created";
}

TEST_F(FallbackE2e, ACooledDownProviderIsSkippedAndAskedAgainOnceItsCooldownEnds) {
  // Step one: primary fails once and is cooled down for 2 s; backup answers. Step two starts
  // at once: primary is skipped (a hop of class cooldown) and backup takes 3 s to answer, so
  // by step three the cooldown is over and primary is asked (and fails) again.
  server_.push_fault("slow_first_byte;ms=1", 1);
  server_.push_fault("slow_first_byte;ms=3000", 1);
  ProcessResult r =
      run(host("rate_limit",
               std::string(kChain) + "  cooldown: {failures: 1, window_seconds: 60, seconds: 2}\n"),
          kThreeSteps);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto out = parse_json(r.out);
  ASSERT_TRUE(out) << r.out;
  auto hop_class = [&](std::size_t i) {
    const json::array& hops = step(*out, i).at("record").at("fallbacks").as_array();
    EXPECT_EQ(hops.size(), 1u);
    return std::string(hops.at(0).at("class").as_string());
  };
  EXPECT_EQ(hop_class(0), "rate_limited");
  EXPECT_EQ(hop_class(1), "cooldown");
  EXPECT_THAT(
      std::string(
          step(*out, 1).at("record").at("fallbacks").as_array()[0].at("message").as_string()),
      HasSubstr("provider 'primary' is cooling down"));
  EXPECT_EQ(hop_class(2), "rate_limited");
  EXPECT_EQ(primary_requests(), 2u) << "skipped in step two only";
  EXPECT_EQ(backup_requests(), 3u);
  EXPECT_EQ(out->at("totals").at("fallback_hops").to_number<int64_t>(), 3);
  EXPECT_THAT(r.err, HasSubstr("provider 'primary': 1 failure within 60s, skipped for 2s"));
}

TEST_F(FallbackE2e, AProviderEntryNamingNoInstanceIsBadInputWithItsPlace) {
  ProcessResult r = run(host("", "  chain: [traditional, {provider: bakcup}]\n"));
  EXPECT_EQ(r.exit_code, 2) << r.err << r.out;
  EXPECT_THAT(r.err, HasSubstr("host.yaml:8:35"));
  EXPECT_THAT(r.err, HasSubstr("fallback.chain: provider 'bakcup' is not declared under "
                               "providers (declared: backup, mock, primary)"));
}

TEST_F(FallbackE2e, TheOfflineExampleHopsToTheBackupAndSkipsTheCooledPrimary) {
  std::vector<std::string> args = {"/usr/bin/timeout",
                                   "-s",
                                   "KILL",
                                   "60",
                                   PIPELINE_BINARY,
                                   "run",
                                   "examples/hello.yaml",
                                   "--config",
                                   "examples/host-fallback.yaml",
                                   "--output-dir",
                                   (dir_ / "out").string(),
                                   "--json"};
  ProcessResult r = testing::run_process(args,
                                         {{"PIPELINE_CONFIG", ""},
                                          {"XDG_CONFIG_HOME", dir_.string()},
                                          {"XDG_CACHE_HOME", (dir_ / "cache").string()},
                                          {"TEST_MODE", ""}},
                                         PIPELINE_SOURCE_DIR);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto out = parse_json(r.out);
  ASSERT_TRUE(out) << r.out;
  std::vector<std::string> classes;
  for (const auto& s : out->at("steps").as_array()) {
    const json::object& rec = s.at("record").as_object();
    if (!rec.contains("fallbacks")) continue;  // set_tone makes no call
    EXPECT_EQ(rec.at("provider").as_string(), "backup");
    classes.push_back(std::string(rec.at("fallbacks").as_array()[0].at("class").as_string()));
  }
  EXPECT_EQ(classes, (std::vector<std::string>{"overloaded", "cooldown"}));
  EXPECT_EQ(out->at("totals").at("fallback_hops").to_number<int64_t>(), 2);
}

}  // namespace
}  // namespace pipeline
