// End to end: two hosts (two `pipeline` processes with their own host configs, caches and data
// folders) share one routing history in a real PostgreSQL server. They run the hybrid example at
// the same moment on an empty database (both create the schema, both write), and a later run on
// host B routes from the records host A wrote; `pipeline compare` on B counts A's executions.
#include "postgres_server.hpp"
#include "process.hpp"

#include <pipeline/json.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using testing::PostgresServer;
using testing::ProcessResult;

const std::string kRules = "classify=examples/optimization/programs/rules.json";

class PostgresHistoryE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::available()) GTEST_SKIP() << PostgresServer::kSkipMessage;
    ASSERT_TRUE(pg_.start()) << pg_.error();
    dir_ = fs::temp_directory_path() /
           ("pipeline-pg-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    for (const char* host : {"a", "b"}) {
      fs::create_directories(dir_ / host);
      // The mock provider in simulation mode (examples/optimization/host-simulated.yaml) and
      // the history in the shared database.
      std::ofstream(dir_ / host / "host.yaml") << "providers:\n"
                                                  "  simulated:\n"
                                                  "    plugin: mock\n"
                                                  "    simulate: {seed: 7, noise: 0.1}\n"
                                                  "step_providers:\n"
                                                  "  default: simulated\n"
                                                  "metrics:\n"
                                                  "  sinks:\n"
                                                  "    history:\n"
                                                  "      plugin: postgres\n"
                                                  "      dsn: \""
                                               << pg_.dsn()
                                               << "\"\n"
                                                  "  history: history\n";
    }
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // One host: its own config, caches and data folder; only the database is shared.
  ProcessResult on(const std::string& host, std::vector<std::string> args) {
    const fs::path home = dir_ / host;
    args.insert(args.begin(), PIPELINE_BINARY);
    args.push_back("-c");
    args.push_back((home / "host.yaml").string());
    return testing::run_process(args,
                                {{"PIPELINE_CONFIG", ""},
                                 {"XDG_CONFIG_HOME", home.string()},
                                 {"XDG_CACHE_HOME", (home / "cache").string()},
                                 {"XDG_DATA_HOME", (home / "data").string()},
                                 {"TEST_MODE", ""}},
                                PIPELINE_SOURCE_DIR);
  }
  ProcessResult triage(const std::string& host) {
    return on(host, {"run", "examples/hybrid/triage.yaml", "--set",
                     "ticket=I was charged twice for the lamp", "--json", "--program", kRules});
  }
  static json::object route_of(const ProcessResult& r) {
    auto doc = parse_json(r.out);
    EXPECT_TRUE(doc && doc->is_object()) << r.out << r.err;
    if (!doc || !doc->is_object()) return {};
    const auto& steps = doc->at("steps").as_array();
    EXPECT_FALSE(steps.empty());
    if (steps.empty()) return {};
    const auto& rec = steps[0].as_object().at("record").as_object();
    EXPECT_TRUE(rec.contains("route")) << r.out;
    return rec.contains("route") ? rec.at("route").as_object() : json::object{};
  }

  PostgresServer pg_;
  fs::path dir_;
};

TEST_F(PostgresHistoryE2e, TwoHostsWritingAtOnceRouteFromOneSharedHistory) {
  // Both hosts at once, on an empty database: both create the schema, both record.
  ProcessResult a, b;
  std::thread ta([&] { a = triage("a"); });
  std::thread tb([&] { b = triage("b"); });
  ta.join();
  tb.join();
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.err.find("metrics:"), std::string::npos) << "every record arrived: " << a.err;
  EXPECT_EQ(b.err.find("metrics:"), std::string::npos) << "every record arrived: " << b.err;
  // Each explored alone (nothing in the history yet, or only the other's first moments).
  const json::object first_a = route_of(a);
  EXPECT_EQ(first_a.at("ab").as_string(), "shadow") << json::serialize(first_a);

  // Host B's next run: the history holds one scored execution of each variant from each host.
  // With min_samples 2 that is enough only because A's records count: the program alone.
  ProcessResult later = triage("b");
  ASSERT_EQ(later.exit_code, 0) << later.err;
  const json::object route = route_of(later);
  EXPECT_EQ(route.at("samples").at("dspy_optimized").to_number<int64_t>(), 2)
      << json::serialize(route);
  EXPECT_EQ(route.at("samples").at("traditional").to_number<int64_t>(), 2)
      << json::serialize(route);
  EXPECT_EQ(route.at("variant").as_string(), "dspy_optimized");
  EXPECT_FALSE(route.contains("ab") && route.at("ab").as_string() != "none")
      << json::serialize(route);

  // `pipeline compare` on B reads the shared history: A's executions are counted too.
  ProcessResult cmp = on("b", {"compare", "examples/hybrid/triage.yaml", "--json"});
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  auto doc = parse_json(cmp.out);
  ASSERT_TRUE(doc) << cmp.out;
  const auto& step = doc->at("steps").at(0);
  EXPECT_EQ(step.at("dspy_optimized").at("n").to_number<int64_t>(), 3) << cmp.out;
}

TEST_F(PostgresHistoryE2e, ADatabaseThatIsDownIsReportedAtExitAndTheRunStillSucceeds) {
  pg_.stop();
  ProcessResult r = triage("a");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("metrics: sink 'history':"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wait for the database"), std::string::npos) << r.err;
}

TEST_F(PostgresHistoryE2e, APasswordInTheHostConfigExitsTwoPointingAtPasswordEnv) {
  std::ofstream(dir_ / "a" / "host.yaml") << "metrics:\n"
                                             "  sinks:\n"
                                             "    history:\n"
                                             "      plugin: postgres\n"
                                             "      dsn: \""
                                          << pg_.dsn()
                                          << "\"\n"
                                             "      password: hunter2-secret\n";
  ProcessResult r = on("a", {"run", "examples/hybrid/triage.yaml", "--set", "ticket=x"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("password_env"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2-secret"), std::string::npos) << r.err;
}

// `pipeline plugins --check` creates the sink with its schema's example: no database needed.
TEST(PostgresPluginCheck, CreatesTheSinkWithoutADatabase) {
  ProcessResult r =
      testing::run_process({PIPELINE_BINARY, "plugins", "--check",
                            std::string(PIPELINE_PLUGIN_DIR) + "/libpipeline_metrics_postgres.so"},
                           {{"PIPELINE_CONFIG", ""}}, PIPELINE_SOURCE_DIR);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("postgres"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("failed"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pipeline
