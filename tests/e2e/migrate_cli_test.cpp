// End to end: `pipeline migrate` on the built binary. Every accepted pipeline_ex workflow
// migrates, validates, keeps its comment lines and runs (traditional mode, mock provider) exactly
// as the original; --dry-run's diff is a patch that `patch` applies; a migrated step optimizes and
// evaluates right away.
#include "process.hpp"

#include <pipeline/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ProcessResult;

// The compat README's rejected workflows (tests/compat/compat_test.cpp has the same table).
const std::set<std::string> kRejected = {"nested_with_error.yaml",
                                         "schema_validation_example.yaml"};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> comment_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto i = line.find_first_not_of(" \t");
    if (i != std::string::npos && line[i] == '#') out.push_back(line);
  }
  return out;
}

// Timings and ids differ between any two runs; everything else must be equal.
json::value without_timings(json::value v) {
  static const std::set<std::string> kVolatile = {"duration_ms", "latency_ms", "host_overhead_ms",
                                                  "request_id",  "started_at", "finished_at"};
  if (auto* o = v.if_object()) {
    json::object out;
    for (auto& kv : *o) {
      if (kVolatile.count(std::string(kv.key()))) continue;
      out[kv.key()] = without_timings(kv.value());
    }
    return out;
  }
  if (auto* a = v.if_array()) {
    json::array out;
    for (auto& e : *a) out.push_back(without_timings(e));
    return out;
  }
  return v;
}

class MigrateCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-migrate-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // `state`: where the response cache, history and sessions live (default: the test's folder).
  ProcessResult pipeline(std::vector<std::string> args, const fs::path& cwd = {},
                         const fs::path& state = {}) {
    args.insert(args.begin(), PIPELINE_BINARY);
    const fs::path home = state.empty() ? dir_ : state;
    return testing::run_process(args,
                                {{"PIPELINE_CONFIG", ""},
                                 {"XDG_CONFIG_HOME", dir_.string()},
                                 {"XDG_CACHE_HOME", (home / "cache").string()},
                                 {"XDG_DATA_HOME", (home / "data").string()},
                                 {"TEST_MODE", "mock"}},
                                cwd.empty() ? dir_.string() : cwd.string());
  }
  fs::path write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  fs::path dir_;
};

TEST_F(MigrateCliTest, EveryAcceptedCompatWorkflowMigratesKeepsCommentsAndRunsIdentically) {
  fs::copy(COMPAT_FIXTURE_DIR, dir_, fs::copy_options::recursive);
  const fs::path run_dir = dir_ / "run";
  const std::string host = (dir_ / "host.yaml").string();
  int migrated_workflows = 0;
  for (const auto& e : fs::directory_iterator(COMPAT_DIR)) {
    const std::string f = e.path().filename().string();
    if (e.path().extension() != ".yaml" || kRejected.count(f)) continue;
    SCOPED_TRACE(f);
    const std::string original = read(e.path());
    const fs::path out = run_dir / (e.path().stem().string() + ".hybrid.yaml");
    auto m = pipeline({"migrate", e.path().string(), "-o", out.string(), "-c", host}, run_dir);
    ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
    EXPECT_EQ(read(e.path()), original) << "the original was modified";
    const std::string migrated = read(out);
    ASSERT_FALSE(migrated.empty());
    EXPECT_THAT(migrated, HasSubstr("dspy_config:"));

    // Every comment line of the original, in order, in the output.
    auto want = comment_lines(original), got = comment_lines(migrated);
    std::size_t k = 0;
    for (const auto& c : got)
      if (k < want.size() && c == want[k]) ++k;
    EXPECT_EQ(k, want.size()) << "comment line missing: " << (k < want.size() ? want[k] : "");

    auto v = pipeline({"validate", out.string(), "-c", host}, run_dir);
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

    std::vector<std::string> extra = {"--mode", "traditional", "--json", "-c", host};
    if (f == "nested_processor.yaml")
      extra.insert(extra.end(),
                   {"-s", "item_name=widget", "-s", "item_count=3", "-s", "multiplier=2"});
    if (f == "fix_bug.yaml") extra.insert(extra.end(), {"-s", "error_log=requirements.txt"});
    // Each run in a fresh copy of the fixtures with its own cache and session store, so the
    // second run neither answers from the first's cache nor continues its sessions.
    int runs = 0;
    auto run = [&](const std::string& wf) {
      const fs::path fresh = dir_ / ("fresh" + std::to_string(++runs) + "_" + f);
      fs::create_directories(fresh);
      fs::copy(COMPAT_FIXTURE_DIR, fresh, fs::copy_options::recursive);
      std::vector<std::string> args = {"run", wf};
      args.insert(args.end(), extra.begin(), extra.end());
      auto r = pipeline(args, fresh / "run", fresh);
      fs::remove_all(fresh);
      return r;
    };
    auto a = run(e.path().string());
    auto b = run(out.string());
    ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
    ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
    auto ja = parse_json(a.out), jb = parse_json(b.out);
    ASSERT_TRUE(ja && jb) << a.out << b.out;
    for (const char* key : {"success", "steps", "results", "variables"}) {
      EXPECT_EQ(json::serialize(without_timings(ja->at(key))),
                json::serialize(without_timings(jb->at(key))))
          << key;
    }
    if (migrated.find("signature:") != std::string::npos) ++migrated_workflows;
  }
  // The corpus has optimizable steps: the comparison above covered migrated steps.
  EXPECT_GE(migrated_workflows, 10);
}

TEST_F(MigrateCliTest, AWorkflowThatDoesNotValidateIsRefusedAndNothingIsWritten) {
  auto m = pipeline(
      {"migrate", COMPAT_DIR "/nested_with_error.yaml", "-o", (dir_ / "out.yaml").string()});
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_THAT(m.err, HasSubstr("nested_with_error.yaml:11:7: error: step 'bad_step'"));
  EXPECT_FALSE(fs::exists(dir_ / "out.yaml"));
  auto json = pipeline({"migrate", COMPAT_DIR "/schema_validation_example.yaml", "--json", "-o",
                        (dir_ / "out.yaml").string()});
  EXPECT_EQ(json.exit_code, 2);
  auto doc = parse_json(json.out);
  ASSERT_TRUE(doc) << json.out;
  EXPECT_EQ(doc->at("success"), false);
  EXPECT_FALSE(fs::exists(dir_ / "out.yaml"));
}

constexpr const char* kSmall = R"(# Triage tickets.
workflow:
  name: triage
  steps:
    # the one step worth optimizing
    - name: classify
      type: claude
      prompt:
        - type: static
          content: "Classify the support ticket as billing or technical."
        - type: static
          content: "Ticket: {{inputs.ticket}}"
    - {name: flowy, type: claude, prompt: [{type: static, content: "{{inputs.ticket}}"}]}
    - name: chat
      type: claude_session
      prompt: [{type: static, content: "hi {{inputs.ticket}}"}]
)";

TEST_F(MigrateCliTest, DefaultOutputIsBesideTheOriginalAndAnExistingOneNeedsForce) {
  auto wf = write("triage.yaml", kSmall);
  auto first = pipeline({"migrate", wf.string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const fs::path out = dir_ / "triage.hybrid.yaml";
  ASSERT_TRUE(fs::exists(out));
  EXPECT_THAT(first.out, HasSubstr("1 of 3 step(s) given a signature"));
  EXPECT_THAT(first.out, HasSubstr("migrated classify (claude, line 6): its prompt has 2 parts"));
  EXPECT_THAT(first.out, HasSubstr("skipped  flowy (claude, line 13): written as a flow map"));
  EXPECT_THAT(first.out, HasSubstr("skipped  chat (claude_session, line 14): a session step"));
  write("triage.hybrid.yaml", "mine\n");
  auto again = pipeline({"migrate", wf.string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("exists; pass --force"));
  EXPECT_EQ(read(out), "mine\n");
  auto forced = pipeline({"migrate", wf.string(), "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(read(out), HasSubstr("template: \"{{inputs.ticket}}\""));
  EXPECT_EQ(read(wf), kSmall);
  auto onto_itself = pipeline({"migrate", wf.string(), "-o", wf.string(), "--force"});
  EXPECT_EQ(onto_itself.exit_code, 2);
  EXPECT_THAT(onto_itself.err, HasSubstr("is the workflow itself"));
  EXPECT_EQ(read(wf), kSmall);
}

TEST_F(MigrateCliTest, JsonReportListsEveryStepWithItsReason) {
  auto wf = write("triage.yaml", kSmall);
  auto r = pipeline(
      {"migrate", wf.string(), "--json", "--enable-optimization", "--optimizer", "mipro_v2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_EQ(doc->at("migrated"), 1);
  EXPECT_EQ(doc->at("written"), true);
  const auto& steps = doc->at("steps").as_array();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].at("migrated"), true);
  EXPECT_EQ(steps[1].at("name"), "flowy");
  EXPECT_EQ(steps[1].at("migrated"), false);
  EXPECT_THAT(std::string(steps[2].at("reason").as_string()), HasSubstr("session step"));
  std::string out = read(dir_ / "triage.hybrid.yaml");
  EXPECT_THAT(out, HasSubstr("    optimization_enabled: true\n    evaluation_mode: mipro_v2\n"));
}

TEST_F(MigrateCliTest, DryRunPrintsAPatchThatTurnsTheOriginalIntoTheOutputAndWritesNothing) {
  if (std::system("patch --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no patch(1)";
  auto wf = write("triage.yaml", kSmall);
  auto dry = pipeline({"migrate", wf.string(), "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_FALSE(fs::exists(dir_ / "triage.hybrid.yaml"));
  EXPECT_THAT(dry.out, HasSubstr("--- " + wf.string() + "\n+++ "));
  EXPECT_THAT(dry.out, HasSubstr("\n@@ -"));
  EXPECT_THAT(dry.err, HasSubstr("dry run, nothing written"));
  write("changes.patch", dry.out);
  fs::copy_file(wf, dir_ / "patched.yaml");
  ASSERT_EQ(std::system(("patch -s '" + (dir_ / "patched.yaml").string() + "' '" +
                         (dir_ / "changes.patch").string() + "'")
                            .c_str()),
            0);
  auto real = pipeline({"migrate", wf.string()});
  ASSERT_EQ(real.exit_code, 0) << real.err;
  EXPECT_EQ(read(dir_ / "patched.yaml"), read(dir_ / "triage.hybrid.yaml"));
}

TEST_F(MigrateCliTest, CrlfWorkflowMigratesToACrlfFileThatValidates) {
  std::string crlf;
  for (char c : std::string(kSmall)) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto wf = write("crlf.yaml", crlf);
  auto m = pipeline({"migrate", wf.string()});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  std::string out = read(dir_ / "crlf.hybrid.yaml");
  EXPECT_EQ(out.substr(0, crlf.find("  steps:")), crlf.substr(0, crlf.find("  steps:")));
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\n') {
      ASSERT_EQ(out[i - 1], '\r') << "bare LF at byte " << i;
    }
  }
  EXPECT_EQ(pipeline({"validate", (dir_ / "crlf.hybrid.yaml").string()}).exit_code, 0);
}

constexpr const char* kHost = R"(providers:
  mock:
    plugin: mock
    replies:
      - match: "(refund|charge)(.|\\n)*Respond with the corresponding"
        reply: "[[ ## answer ## ]]\nbilling\n\n[[ ## completed ## ]]"
      - match: "Respond with the corresponding"
        reply: "[[ ## answer ## ]]\ntechnical\n\n[[ ## completed ## ]]"
step_providers:
  default: mock
)";

TEST_F(MigrateCliTest, AMigratedStepOptimizesAndEvaluatesRightAway) {
  auto wf = write("triage.yaml", kSmall);
  auto host = write("host.yaml", kHost);
  std::string rows;
  const char* tickets[][2] = {{"I want a refund", "billing"}, {"the app crashes", "technical"},
                              {"double charge", "billing"},   {"cannot log in", "technical"},
                              {"refund my order", "billing"}, {"blank page", "technical"}};
  for (const auto& t : tickets)
    rows += json::serialize(json::object{{"ticket", t[0]}, {"answer", t[1]}}) + "\n";
  auto data = write("tickets.jsonl", rows);
  ASSERT_EQ(pipeline({"migrate", wf.string(), "-c", host.string()}).exit_code, 0);
  const std::string hybrid = (dir_ / "triage.hybrid.yaml").string();
  // No --optimizer: the migrated dspy_config's evaluation_mode (bootstrap_few_shot) chooses.
  auto opt = pipeline({"optimize", hybrid, "--step", "classify", "-c", host.string(), "--data",
                       data.string(), "--json"});
  ASSERT_EQ(opt.exit_code, 0) << opt.err << opt.out;
  auto doc = parse_json(opt.out);
  ASSERT_TRUE(doc) << opt.out;
  EXPECT_EQ(doc->at("optimizer"), "bootstrap_few_shot");
  EXPECT_GT(doc->at("lm_calls").as_int64(), 0);
  auto eval = pipeline({"evaluate", hybrid, "--step", "classify", "-c", host.string(), "--data",
                        data.string(), "--mode", "dspy_optimized", "--json"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err << eval.out;
  auto ev = parse_json(eval.out);
  ASSERT_TRUE(ev) << eval.out;
  EXPECT_DOUBLE_EQ(ev->at("score").to_number<double>(), 1.0) << eval.out;
}

}  // namespace
}  // namespace pipeline
