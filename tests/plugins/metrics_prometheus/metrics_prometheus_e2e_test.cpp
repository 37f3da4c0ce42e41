// End to end through the `pipeline` binary: a run with a prometheus sink pushes its steps to a
// real Pushgateway and writes the textfile next to the config; an unreachable Pushgateway never
// fails the run (the stderr summary names the sink); bad settings are bad input (exit 2).
#include "process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "exposition_samples.hpp"
#include "pushgateway_server.hpp"

namespace pipeline::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class PrometheusSinkCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-prom-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProcessResult pipeline(const fs::path& config, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"/usr/bin/timeout",
                                     "-s",
                                     "KILL",
                                     "60",
                                     PIPELINE_BINARY,
                                     "run",
                                     "examples/hello.yaml",
                                     "--output-dir",
                                     (dir_ / "out").string(),
                                     "-c",
                                     config.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_process(args,
                       {{"PIPELINE_CONFIG", ""},
                        {"XDG_CONFIG_HOME", dir_.string()},
                        {"XDG_CACHE_HOME", (dir_ / "cache").string()},
                        {"XDG_DATA_HOME", (dir_ / "data").string()},
                        {"TEST_MODE", ""}},
                       PIPELINE_SOURCE_DIR);
  }
  fs::path host(const std::string& sink_settings) {
    fs::path p = dir_ / "host.yaml";
    std::ofstream(p) << "metrics:\n  sinks:\n    prom: {plugin: prometheus, " << sink_settings
                     << "}\n";
    return p;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

TEST_F(PrometheusSinkCli, ARunPushesItsStepsAndWritesTheTextfileNextToTheConfig) {
  if (!PushgatewayServer::available()) GTEST_SKIP() << PushgatewayServer::kSkipMessage;
  PushgatewayServer pg;
  ASSERT_TRUE(pg.start());
  auto r = pipeline(
      host("pushgateway: \"" + pg.url() + "\", instance: ci-host, textfile: node/pipeline.prom"),
      {"-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "every record arrived and every push succeeded";
  auto pushed = samples_of(pg.metrics());
  for (const char* step : {"set_tone", "greet", "summarize"}) {
    auto s = find_samples(pushed, "pipeline_step_executions_total",
                          {{"job", "pipeline"},
                           {"workflow", "hello"},
                           {"instance", "ci-host"},
                           {"step", step},
                           {"mode", "traditional"},
                           {"outcome", "success"}});
    ASSERT_EQ(s.size(), 1u) << step << "\n" << pg.metrics();
    EXPECT_EQ(s[0].value, 1);
  }
  const fs::path textfile = dir_ / "node" / "pipeline.prom";
  ASSERT_TRUE(fs::exists(textfile)) << "relative to the config file's folder";
  EXPECT_EQ(find_samples(samples_of(read(textfile)), "pipeline_step_latency_seconds_count",
                         {{"workflow", "hello"}})
                .size(),
            3u);
}

TEST_F(PrometheusSinkCli, AnUnreachablePushgatewayNeverFailsTheRun) {
  if (!PushgatewayServer::available()) GTEST_SKIP() << PushgatewayServer::kSkipMessage;
  PushgatewayServer pg;
  ASSERT_TRUE(pg.start());
  const std::string url = pg.url();
  pg.stop();  // nothing listens on its port now
  auto r = pipeline(host("pushgateway: \"" + url + "\", push_timeout_ms: 500"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("metrics: sink 'prom': "));
  EXPECT_THAT(r.err, HasSubstr("last: flush: prometheus metrics sink: push to " + url +
                               "/metrics/job/pipeline/workflow/hello/instance/"));
  EXPECT_TRUE(fs::exists(dir_ / "out")) << "the run wrote its results";
}

TEST_F(PrometheusSinkCli, BadSettingsAreBadInputNamingTheSetting) {
  auto r = pipeline(host("listen: \"127.0.0.1\""));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("metrics.sinks.prom"));
  EXPECT_THAT(r.err, HasSubstr("prometheus metrics sink: 'listen' must be HOST:PORT"));
}

}  // namespace
}  // namespace pipeline::testing
