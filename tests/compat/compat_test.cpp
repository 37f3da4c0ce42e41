// pipeline_ex compatibility, end to end through the built `pipeline` binary: every workflow in
// tests/compat/pipeline_ex validates or is rejected exactly as its README says, and every
// accepted one runs in mock mode with the fixtures of tests/compat/fixtures.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line in `cwd`; the binary and paths are ours, so quoting stays simple.
Outcome run(const std::string& args, const fs::path& cwd,
            const std::string& env = "TEST_MODE=mock") {
  // XDG_CACHE_HOME, XDG_DATA_HOME: the built-in response cache and history live in the test's
  // folder, not the user's.
  std::string cmd = "cd '" + cwd.string() + "' && XDG_CACHE_HOME='" + cwd.string() + "/.cache' " +
                    "XDG_DATA_HOME='" + cwd.string() + "/.data' " + env + " '" PIPELINE_BIN "' " +
                    args + " 2>&1";
  Outcome o;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return o;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) o.output.append(buf.data(), n);
  int status = pclose(p);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

std::vector<std::string> workflows() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(COMPAT_DIR)) {
    if (e.path().extension() == ".yaml") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The README's table, as data.
const std::map<std::string, std::string> kRejected = {
    {"nested_with_error.yaml",
     ":11:7: error: step 'bad_step': unknown step type 'invalid_step_type'"},
    {"schema_validation_example.yaml", ":1:1: error: expected a top-level 'workflow:' map"}};
const std::set<std::string> kPlainStringPrompts = {"data_transform_example.yaml",
                                                   "hooks_example.yaml", "mcp_server_example.yaml",
                                                   "subagents_example.yaml"};

// A scratch copy of the fixtures: <tmp>/run is the working folder, <tmp>/research_papers beside it.
class Scratch {
 public:
  Scratch() {
    std::random_device rd;
    root_ = fs::temp_directory_path() /
            ("pipeline_compat_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(root_);
    fs::copy(FIXTURE_DIR, root_, fs::copy_options::recursive);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path run_dir() const { return root_ / "run"; }
  fs::path root() const { return root_; }

 private:
  fs::path root_;
};

TEST(CompatValidate, EveryWorkflowAsTheReadmeSays) {
  auto files = workflows();
  ASSERT_EQ(files.size(), 25u);
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    Outcome o = run("validate '" COMPAT_DIR "/" + f + "'", fs::temp_directory_path());
    if (auto it = kRejected.find(f); it != kRejected.end()) {
      EXPECT_EQ(o.exit_code, 2) << o.output;
      EXPECT_NE(o.output.find(f + it->second), std::string::npos) << o.output;
      continue;
    }
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_EQ(o.output.find("error:"), std::string::npos) << o.output;
    if (kPlainStringPrompts.count(f)) {
      EXPECT_NE(o.output.find("prompt is a plain string"), std::string::npos) << o.output;
    }
  }
}

TEST(CompatValidate, UnsupportedAgentFeaturesWarnWithKeyAndLine) {
  auto check = [](const std::string& file, const std::string& expected) {
    Outcome o = run("validate '" COMPAT_DIR "/" + file + "'", fs::temp_directory_path());
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_NE(o.output.find(file + expected), std::string::npos) << o.output;
  };
  check("hooks_example.yaml", ":10:3: warning: workflow.hooks is not supported");
  check("mcp_server_example.yaml", ":10:3: warning: workflow.mcp_servers is not supported");
  check("subagents_example.yaml", ":10:3: warning: workflow.agents is not supported");
  check("research_paper_improvement_native_loop.yaml",
        ":67:13: warning: step 'create_improved_paper' (claude), field "
        "'claude_options.allowed_tools'");
}

TEST(CompatRun, EveryAcceptedWorkflowRunsInMockMode) {
  for (const auto& f : workflows()) {
    if (kRejected.count(f)) continue;
    SCOPED_TRACE(f);
    Scratch s;
    std::string args = "run --json -c '" FIXTURE_DIR "/host.yaml' '" COMPAT_DIR "/" + f + "'";
    // nested_processor.yaml is a sub-pipeline: it needs the inputs its parent would pass.
    if (f == "nested_processor.yaml")
      args += " -s item_name=widget -s item_count=3 -s multiplier=2";
    // fix_bug.yaml reads the error log named by its `error_log` input (an empty path is an
    // error, as in pipeline_ex): give it one.
    if (f == "fix_bug.yaml") args += " -s error_log=requirements.txt";
    Outcome o = run(args, s.run_dir());
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_NE(o.output.find("\"success\":true"), std::string::npos) << o.output;
  }
}

TEST(Examples, LoopsAndTransformsRunOffline) {
  Scratch s;
  Outcome o = run("run --json '" PIPELINE_SOURCE_DIR "/examples/loops_and_transforms.yaml' -o out",
                  s.run_dir(), "");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  std::ifstream in(s.run_dir() / "out" / "loops_report.json");
  std::stringstream report;
  report << in.rdbuf();
  EXPECT_EQ(report.str(),
            "{\"revenue\":254,\"running_total\":219,\"last\":\"order 1: cy (99)\","
            "\"customers\":[\"ada\",\"bob\",\"cy\"],\"countdown_done\":\"yes\"}\n");
}

// The broken sub-pipeline is found when the parent is validated, before anything runs (exit 2).
TEST(CompatRun, NestedFixturePipelineIsRefusedWithTheSubPipelinesError) {
  Scratch s;
  std::ofstream(s.run_dir() / "parent.yaml")
      << "workflow:\n  name: parent\n  steps:\n    - name: sub\n      type: pipeline\n"
      << "      pipeline_file: " COMPAT_DIR "/nested_with_error.yaml\n";
  Outcome o = run("run parent.yaml", s.run_dir());
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("nested_with_error.yaml:11:7: error: step 'bad_step': unknown step type"),
            std::string::npos)
      << o.output;
}

TEST(Checkpoints, ResumeContinuesAfterTheLastCompletedStepAndRedactsSecrets) {
  Scratch s;
  const fs::path dir = s.run_dir();
  std::ofstream(dir / "host.yaml")
      << "providers:\n  mock:\n    plugin: mock\n    api_key_env: PIPELINE_TEST_SECRET\n"
      << "step_providers:\n  default: mock\n";
  std::ofstream(dir / "cp.yaml") << R"(workflow:
  name: cp demo
  checkpoint_enabled: true
  checkpoint_dir: ./cps
  steps:
    - name: one
      type: test_echo
      value: "token {{inputs.token}}"
    - name: two
      type: test_echo
      value: "{{inputs.mode}}"
    - name: three
      type: test_echo
      value: "after {{steps.one}}"
)";
  const std::string env = "TEST_MODE=mock PIPELINE_TEST_SECRET=sk-very-secret-123";
  const std::string base = "run --json -c host.yaml cp.yaml -s token=sk-very-secret-123";
  Outcome first = run(base + " -s mode=__FAIL__", dir, env);
  EXPECT_EQ(first.exit_code, 1) << first.output;
  std::ifstream in(dir / "cps" / "cp_demo.checkpoint.json");
  std::stringstream cp;
  cp << in.rdbuf();
  EXPECT_NE(cp.str().find("\"next_step\":1"), std::string::npos) << cp.str();
  EXPECT_EQ(cp.str().find("sk-very-secret-123"), std::string::npos) << cp.str();

  Outcome resumed = run(base + " -s mode=ok --resume", dir, env);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("\"resumed_from\":\"two\""), std::string::npos) << resumed.output;

  // A finished run is not skipped: a plain rerun (and even --resume) starts from the first step.
  Outcome again = run(base + " -s mode=ok", dir, env);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output.find("resumed_from"), std::string::npos) << again.output;
  Outcome resume_finished = run(base + " -s mode=ok --resume", dir, env);
  EXPECT_EQ(resume_finished.exit_code, 0);
  EXPECT_EQ(resume_finished.output.find("resumed_from"), std::string::npos)
      << resume_finished.output;
}

}  // namespace
