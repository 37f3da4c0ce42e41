// End to end: the offline optimization demonstration of examples/optimization (docs/optimization.md
// "Offline demonstration"). The committed data is the generator's output, and `pipeline evaluate`
// with the simulated mock ranks the prompt as written below a program with demos, and that below
// a program whose instruction states rules in the documented form.
#include "process.hpp"

#include <pipeline/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;

const fs::path kExample = fs::path(PIPELINE_SOURCE_DIR) / "examples" / "optimization";

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class OptimizationExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-opt-example-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The test-split score of one evaluation, from `--json`.
  double score(std::vector<std::string> extra) {
    std::vector<std::string> args = {PIPELINE_BINARY,
                                     "evaluate",
                                     "examples/optimization/triage.yaml",
                                     "--step",
                                     "classify",
                                     "-c",
                                     "examples/optimization/host-simulated.yaml",
                                     "--data",
                                     "examples/optimization/test.jsonl",
                                     "--json",
                                     "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = testing::run_process(args,
                                           {{"PIPELINE_CONFIG", ""},
                                            {"XDG_CONFIG_HOME", dir_.string()},
                                            {"XDG_CACHE_HOME", (dir_ / "cache").string()},
                                            {"XDG_DATA_HOME", (dir_ / "data").string()},
                                            {"TEST_MODE", ""}},
                                           PIPELINE_SOURCE_DIR);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r.out);
    EXPECT_TRUE(doc && doc->is_object()) << r.out << r.err;
    if (!doc || !doc->is_object()) return -1;
    EXPECT_EQ(doc->at("examples").to_number<int64_t>(), 80);
    EXPECT_EQ(doc->at("errors").to_number<int64_t>(), 0) << "every simulated reply parses";
    return doc->at("score").to_number<double>();
  }

  fs::path dir_;
};

TEST_F(OptimizationExampleTest, TheCommittedDataIsTheGeneratorsOutput) {
  ProcessResult r = testing::run_process({GENERATE_TICKETS_BINARY, dir_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"train.jsonl", "dev.jsonl", "test.jsonl"}) {
    const std::string made = slurp(dir_ / f);
    EXPECT_FALSE(made.empty()) << f;
    EXPECT_EQ(made, slurp(kExample / f)) << f << " differs: regenerate with generate_tickets";
  }
}

TEST_F(OptimizationExampleTest, AsWrittenScoresBelowDemosAndDemosBelowStatedRules) {
  const double as_written = score({"--mode", "dspy_optimized"});
  const double demos = score({"--program", "examples/optimization/programs/demos.json"});
  const double rules = score({"--program", "examples/optimization/programs/rules.json"});
  EXPECT_LT(as_written, 0.4) << "the plain instruction names no category's words";
  EXPECT_LT(as_written, demos);
  EXPECT_LT(demos, rules);
  // Deterministic: the same evaluation again (now answered from the response cache) agrees.
  EXPECT_EQ(score({"--program", "examples/optimization/programs/rules.json"}), rules);
}

}  // namespace
}  // namespace pipeline
