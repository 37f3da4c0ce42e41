// `pipeline cache ...`: the command's work against real plugins and files, and the real `pipeline`
// binary for the registration.
#include "cache_command.hpp"

#include <pipeline/cache/optimization_cache_key.hpp>
#include <pipeline/json.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "cache_test_support.hpp"
#include "process.hpp"

namespace pipeline::testing {
namespace {

class CacheCommand : public ::testing::Test {
 protected:
  void SetUp() override { write_config("sqlite"); }
  void write_config(const std::string& backend) {
    std::ofstream(config_) << "plugins:\n  search_paths: [\"" << PIPELINE_PLUGIN_DIR << "\"]\n"
                           << "cache:\n  mode: on\n  levels:\n    - backend: " << backend
                           << "\n      config:\n        path: \"" << db_.string() << "\"\n";
  }
  int run(const std::string& action, const std::string& arg = "") {
    cli::CacheCommandOptions o;
    o.action = action;
    o.config = config_.string();
    (action == "get" ? o.key : o.signature) = arg;
    std::ostringstream out, err;
    const int code = cli::run_cache_command(o, out, err);
    out_ = out.str();
    err_ = err.str();
    return code;
  }
  void seed(const std::string& key, const std::string& value) {
    auto host = cache_plugin_host();
    auto c = host->create_cache("sqlite", R"({"path": ")" + db_.string() + R"("})");
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->put(key, value, 0).ok());
  }

  TempDir dir_;
  std::filesystem::path config_ = dir_.path() / "host.yaml";
  std::filesystem::path db_ = dir_.path() / "c.db";
  std::string out_, err_;
};

TEST_F(CacheCommand, GetPrintsAStoredValueAndFailsOnAMiss) {
  seed("resp:v1:abc", "{\"text\":\"hi\"}");
  EXPECT_EQ(run("get", "resp:v1:abc"), 0) << err_;
  EXPECT_EQ(out_, "{\"text\":\"hi\"}\n");
  EXPECT_EQ(run("get", "resp:v1:nope"), 1);
  EXPECT_NE(err_.find("not found"), std::string::npos);
}

TEST_F(CacheCommand, InvalidateRemovesEveryOptimizationOfOneSignature) {
  const json::value params = json::object{};
  const std::string a = OptimizationCacheKey::make("sigA", "bootstrap", params, "t", "m");
  const std::string b = OptimizationCacheKey::make("sigB", "bootstrap", params, "t", "m");
  seed(a, "program-a");
  seed(b, "program-b");
  EXPECT_EQ(run("invalidate", "sigA"), 0) << err_;
  EXPECT_EQ(run("get", a), 1);
  EXPECT_EQ(run("get", b), 0);
  EXPECT_EQ(run("invalidate", ""), 2) << "--signature is required";
}

TEST_F(CacheCommand, ClearEmptiesTheLevelsAndStatsPrintsJson) {
  seed("k", "v");
  EXPECT_EQ(run("stats"), 0) << err_;
  auto doc = parse_json(out_);
  ASSERT_TRUE(doc.ok()) << out_;
  EXPECT_EQ(doc->at("levels").at(0).at("backend").as_string(), "sqlite");
  EXPECT_EQ(doc->at("levels").at(0).at("state").as_string(), "up");
  EXPECT_EQ(run("clear"), 0) << err_;
  EXPECT_EQ(run("get", "k"), 1);
}

TEST_F(CacheCommand, StatsSaysDownForALevelThatIsDownAndExitsOne) {
  std::ofstream(dir_.path() / "a-file") << "not a folder";
  db_ = dir_.path() / "a-file" / "c.db";  // a path nothing can be created at
  write_config("sqlite");
  EXPECT_EQ(run("stats"), 1) << err_;
  auto doc = parse_json(out_);
  ASSERT_TRUE(doc.ok()) << out_;
  const auto& level = doc->at("levels").at(0);
  EXPECT_EQ(level.at("state").as_string(), "down") << out_;
  EXPECT_TRUE(level.as_object().contains("health")) << out_;
}

TEST_F(CacheCommand, StatsShowsCorruptEntriesDroppedByEarlierRuns) {
  seed("good", "fine");
  seed("bad", "original");
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &raw), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw,
                           "UPDATE pipeline_cache SET value = X'6576696C'"
                           " WHERE key = CAST('bad' AS BLOB)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  EXPECT_EQ(run("get", "bad"), 1) << "a row whose checksum fails is a miss";
  EXPECT_EQ(run("get", "good"), 0) << err_;
  EXPECT_EQ(run("stats"), 0) << err_;
  auto doc = parse_json(out_);
  ASSERT_TRUE(doc.ok()) << out_;
  const auto& backend = doc->at("levels").at(0).at("backend_stats");
  EXPECT_EQ(backend.at("corrupt_entries_dropped").to_number<int64_t>(), 1) << out_;
  EXPECT_EQ(backend.at("entries").to_number<int64_t>(), 1) << out_;
}

TEST_F(CacheCommand, ABadCacheSectionIsExitCodeTwo) {
  write_config("nosuch");
  EXPECT_EQ(run("stats"), 2);
  EXPECT_NE(err_.find("nosuch"), std::string::npos) << err_;
  std::ofstream(config_) << "cache:\n  mode: sometimes\n";
  EXPECT_EQ(run("stats"), 2);
  std::ofstream(config_) << "cache: {}\n";
  EXPECT_EQ(run("stats"), 2) << "no levels: nothing to do";
}

TEST_F(CacheCommand, ThePipelineBinaryHasTheCacheSubcommand) {
  seed("resp:v1:xyz", "cached-text");
  const std::string bin = std::string(PIPELINE_BINARY_DIR) + "/bin/pipeline";
  ProcessResult r = run_process({bin, "cache", "-c", config_.string(), "get", "resp:v1:xyz"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cached-text\n");
  r = run_process({bin, "cache", "get", "resp:v1:xyz", "--config", config_.string()});
  EXPECT_EQ(r.exit_code, 0) << "the config flag may follow the action\n" << r.err;
  r = run_process({bin, "cache", "-c", config_.string(), "get", "resp:v1:absent"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
}

}  // namespace
}  // namespace pipeline::testing
