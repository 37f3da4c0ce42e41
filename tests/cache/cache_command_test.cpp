// `pipeline cache ...` driven through its CLI11 registration, against real plugins and files.
#include "cache_command.hpp"

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/cache/optimization_cache_key.hpp>

#include <gtest/gtest.h>

#include <fstream>

#include "cache_test_support.hpp"

namespace pipeline::testing {
namespace {

class CacheCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(config_) << R"({"cache": {"levels": [{"backend": "sqlite", "config": {"path": ")"
                           << (dir_.path() / "c.db").string() << R"("}}]}})";
  }
  // Runs `pipeline cache <args>` and returns the exit code; stdout in out_.
  int run(std::vector<std::string> args) {
    CLI::App app("pipeline");
    int exit_code = -1;
    cli::add_cache_command(app, exit_code);
    std::vector<std::string> argv_text = {"pipeline",       "cache",        "--cache-config",
                                          config_.string(), "--plugin-dir", PIPELINE_PLUGIN_DIR};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      exit_code = 2;
    }
    out_ = ::testing::internal::GetCapturedStdout();
    return exit_code;
  }
  // Writes through a manager of its own, as a run would.
  void seed(const std::string& key, const std::string& value) {
    auto host = cache_plugin_host();
    auto c =
        host->create_cache("sqlite", R"({"path": ")" + (dir_.path() / "c.db").string() + R"("})");
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->put(key, value, 0).ok());
  }

  TempDir dir_;
  std::filesystem::path config_ = dir_.path() / "host.json";
  std::string out_;
};

TEST_F(CacheCommand, GetPrintsAStoredValueAndFailsOnAMiss) {
  seed("resp:v1:abc", "{\"text\":\"hi\"}");
  EXPECT_EQ(run({"get", "resp:v1:abc"}), 0);
  EXPECT_EQ(out_, "{\"text\":\"hi\"}\n");
  EXPECT_EQ(run({"get", "resp:v1:nope"}), 1);
}

TEST_F(CacheCommand, InvalidateRemovesEveryOptimizationOfOneSignature) {
  const json::value params = json::object{};
  const std::string a = OptimizationCacheKey::make("sigA", "bootstrap", params, "t", "m");
  const std::string b = OptimizationCacheKey::make("sigB", "bootstrap", params, "t", "m");
  seed(a, "program-a");
  seed(b, "program-b");
  EXPECT_EQ(run({"invalidate", "--signature", "sigA"}), 0);
  EXPECT_EQ(run({"get", a}), 1);
  EXPECT_EQ(run({"get", b}), 0);
  EXPECT_EQ(run({"invalidate"}), 2) << "--signature is required";
}

TEST_F(CacheCommand, ClearEmptiesTheLevelsAndStatsPrintsJson) {
  seed("k", "v");
  EXPECT_EQ(run({"stats"}), 0);
  auto doc = parse_json(out_);
  ASSERT_TRUE(doc.ok()) << out_;
  EXPECT_EQ(doc->at("levels").at(0).at("backend").as_string(), "sqlite");
  EXPECT_EQ(doc->at("levels").at(0).at("state").as_string(), "up");
  EXPECT_EQ(run({"clear"}), 0);
  EXPECT_EQ(run({"get", "k"}), 1);
}

TEST_F(CacheCommand, ABadConfigIsExitCodeTwo) {
  std::ofstream(config_) << R"({"cache": {"levels": [{"backend": "nosuch"}]}})";
  EXPECT_EQ(run({"stats"}), 2);
  std::ofstream(config_) << "{not json";
  EXPECT_EQ(run({"stats"}), 2);
}

}  // namespace
}  // namespace pipeline::testing
