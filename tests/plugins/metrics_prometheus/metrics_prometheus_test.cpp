// The prometheus sink loaded as its .so through PluginHost (the real ABI): the /metrics endpoint,
// the textfile and the pushes to a real Pushgateway carry the step records' counters and
// histograms in a text that promtool accepts; histograms are cumulative and consistent; label
// values are escaped; the number of series is bounded; bad config names the setting.
#include <pipeline/json.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>

#include "exposition_samples.hpp"
#include "loopback_http.hpp"
#include "monitor_test_support.hpp"
#include "pushgateway_server.hpp"

namespace pipeline::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class MetricsPrometheus : public ::testing::Test {
 protected:
  void SetUp() override {
    Status st =
        host_.load_file(fs::path(PIPELINE_PLUGIN_DIR) / "libpipeline_metrics_prometheus.so");
    ASSERT_TRUE(st.ok()) << st.to_string();
  }
  Result<std::shared_ptr<MetricsSinkInstance>> create(const std::string& config) {
    return host_.create_metrics_sink("prometheus", config);
  }
  std::shared_ptr<MetricsSinkInstance> make(const std::string& config) {
    auto s = create(config);
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    return s.ok() ? *s : nullptr;
  }
  // A sink serving /metrics on a free port; port() is the port it chose.
  std::shared_ptr<MetricsSinkInstance> listening(const std::string& extra = "") {
    auto sink = make(R"({"listen": "127.0.0.1:0", "listen_file": ")" + listen_file_.string() +
                     "\"" + (extra.empty() ? "" : ", " + extra) + "}");
    return sink;
  }
  int port() const {
    const std::string address = read_file(listen_file_);
    return std::atoi(address.substr(address.rfind(':') + 1).c_str());
  }
  std::string scrape() const { return loopback_get(port(), "/metrics").body; }
  static void put(const MetricsSinkInstance& sink, const StepRecord& r) {
    Status st = sink.record(json::serialize(r.to_json()));
    EXPECT_TRUE(st.ok()) << st.to_string();
  }
  std::string textfile_config(const std::string& extra = "") const {
    return R"({"textfile": ")" + textfile_.string() + "\"" + (extra.empty() ? "" : ", " + extra) +
           "}";
  }
  static std::string refusal(Result<std::shared_ptr<MetricsSinkInstance>> r) {
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string("(accepted)") : r.status().message();
  }

  PluginHost host_;
  TempDir dir_;
  fs::path listen_file_ = dir_.path() / "listen.addr";
  fs::path textfile_ = dir_.path() / "pipeline.prom";
};

TEST_F(MetricsPrometheus, ListenServesTheMetricsOnThePortItChoseWhileTheSinkLives) {
  auto sink = listening();
  ASSERT_NE(sink, nullptr);
  EXPECT_THAT(read_file(listen_file_), ::testing::MatchesRegex("127\\.0\\.0\\.1:[0-9]+\n"));
  ASSERT_GT(port(), 0);
  put(*sink, record_of("triage", "classify", "traditional", now_unix_ms()));
  HttpReply reply = loopback_get(port(), "/metrics");
  EXPECT_EQ(reply.status, 200);
  auto executions = find_samples(samples_of(reply.body), "pipeline_step_executions_total",
                                 {{"workflow", "triage"}, {"step", "classify"}});
  ASSERT_EQ(executions.size(), 1u) << reply.body;
  EXPECT_EQ(executions[0].value, 1);
  EXPECT_EQ(loopback_get(port(), "/other").status, 404);
  const int was = port();
  sink.reset();
  EXPECT_EQ(loopback_get(was, "/metrics", 1).status, 0) << "the endpoint goes with the sink";
}

TEST_F(MetricsPrometheus, TheListenEndpointsExpositionPassesPromtool) {
  if (::access(kPromtool, X_OK) != 0) GTEST_SKIP() << kPromtoolSkip;
  auto sink = listening();
  StepRecord ok = record_of("triage", "classify", "dspy_optimized", now_unix_ms());
  ok.cache_hit = true;
  ok.host_overhead_ms = 1.25;
  put(*sink, ok);
  StepRecord failed = record_of("triage", "reply", "traditional", now_unix_ms());
  failed.success = false;
  failed.error_class = "rate_limited";
  failed.fallback_hops = 2;
  put(*sink, failed);
  const std::string text = scrape();
  for (const char* family : {"pipeline_step_executions_total", "pipeline_step_latency_seconds",
                             "pipeline_step_host_overhead_seconds", "pipeline_step_tokens_total",
                             "pipeline_step_cost_usd_total", "pipeline_step_cache_hits_total",
                             "pipeline_step_fallback_hops_total"}) {
    const std::string name = family;
    const std::string type = name.ends_with("_seconds") ? "histogram" : "counter";
    EXPECT_THAT(text, HasSubstr("# HELP " + name + " ")) << name;
    EXPECT_THAT(text, HasSubstr("# TYPE " + name + " " + type + "\n")) << name;
  }
  ProcessResult lint = promtool_check(text);
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err << "\n" << text;
  EXPECT_EQ(lint.out + lint.err, "") << text;
}

TEST_F(MetricsPrometheus, TheTextfileIsReplacedAtEachFlushAndPassesPromtool) {
  auto sink = make(textfile_config());
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  EXPECT_FALSE(fs::exists(textfile_)) << "written at flush, not per record";
  ASSERT_TRUE(sink->flush().ok());
  auto first = find_samples(samples_of(read_file(textfile_)), "pipeline_step_executions_total");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].value, 1);
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  ASSERT_TRUE(sink->flush().ok());
  const std::string text = read_file(textfile_);
  auto second = find_samples(samples_of(text), "pipeline_step_executions_total");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].value, 2);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir_.path())) files.push_back(e.path().filename());
  EXPECT_THAT(files, ::testing::ElementsAre("pipeline.prom")) << "no temporary file left behind";
  if (::access(kPromtool, X_OK) != 0) GTEST_SKIP() << kPromtoolSkip;
  ProcessResult lint = promtool_check(text);
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err << "\n" << text;
}

TEST_F(MetricsPrometheus, AnUnwritableTextfileFailsTheFlushNamingTheSetting) {
  fs::create_directories(dir_.path() / "blocked");
  std::ofstream(dir_.path() / "blocked" / "file") << "a file where a folder should be";
  auto sink =
      make(R"({"textfile": ")" + (dir_.path() / "blocked" / "file" / "x.prom").string() + "\"}");
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  Status st = sink->flush();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("prometheus metrics sink: 'textfile': cannot"));
}

TEST_F(MetricsPrometheus, HistogramBucketsAreCumulativeAndAgreeWithCountAndSum) {
  auto sink = listening(R"("latency_buckets": [0.01, 0.1, 1])");
  const double latencies_ms[] = {5, 50, 50, 500, 5000, 10};
  double sum = 0;
  for (double ms : latencies_ms) {
    StepRecord r = record_of("wf", "s", "traditional", now_unix_ms());
    r.latency_ms = ms;
    r.host_overhead_ms = ms / 10;
    sum += ms / 1000;
    put(*sink, r);
  }
  auto all = samples_of(scrape());
  auto buckets = find_samples(all, "pipeline_step_latency_seconds_bucket");
  ASSERT_EQ(buckets.size(), 4u);
  std::map<std::string, double> by_le;
  for (const auto& b : buckets) by_le[b.labels.at("le")] = b.value;
  // le is "less than or equal": 10 ms falls in the 0.01 bucket.
  EXPECT_EQ(by_le["0.01"], 2);
  EXPECT_EQ(by_le["0.1"], 4);
  EXPECT_EQ(by_le["1"], 5);
  EXPECT_EQ(by_le["+Inf"], 6);
  for (std::size_t i = 1; i < buckets.size(); ++i)
    EXPECT_LE(buckets[i - 1].value, buckets[i].value) << "cumulative, in increasing le order";
  auto count = find_samples(all, "pipeline_step_latency_seconds_count");
  auto total = find_samples(all, "pipeline_step_latency_seconds_sum");
  ASSERT_EQ(count.size(), 1u);
  ASSERT_EQ(total.size(), 1u);
  EXPECT_EQ(count[0].value, by_le["+Inf"]);
  EXPECT_DOUBLE_EQ(total[0].value, sum);
  EXPECT_EQ(count[0].value, find_samples(all, "pipeline_step_executions_total").at(0).value);
  auto overhead_count = find_samples(all, "pipeline_step_host_overhead_seconds_count");
  auto overhead_sum = find_samples(all, "pipeline_step_host_overhead_seconds_sum");
  ASSERT_EQ(overhead_count.size(), 1u);
  EXPECT_EQ(overhead_count[0].value, 6);
  EXPECT_NEAR(overhead_sum[0].value, sum / 10, 1e-12);
}

TEST_F(MetricsPrometheus, CountersAddUpTokensCostCacheHitsAndFallbackHops) {
  auto sink = listening();
  for (int i = 0; i < 3; ++i) {
    StepRecord r = record_of("wf", "s", "traditional", now_unix_ms());
    r.input_tokens = 100 + i;
    r.output_tokens = 10;
    r.cost_usd = 0.25;
    r.cache_hit = i == 0;
    r.fallback_hops = i;
    put(*sink, r);
  }
  auto all = samples_of(scrape());
  const std::map<std::string, std::string> step = {
      {"workflow", "wf"}, {"step", "s"}, {"mode", "hybrid"}, {"variant", "traditional"}};
  auto with = [&](std::map<std::string, std::string> extra) {
    extra.insert(step.begin(), step.end());
    return extra;
  };
  auto input = find_samples(all, "pipeline_step_tokens_total",
                            with({{"type", "input"}, {"provider", "mock"}, {"model", "mock-1"}}));
  auto output = find_samples(all, "pipeline_step_tokens_total", with({{"type", "output"}}));
  auto cost = find_samples(all, "pipeline_step_cost_usd_total", step);
  auto hits = find_samples(all, "pipeline_step_cache_hits_total", step);
  auto hops = find_samples(all, "pipeline_step_fallback_hops_total", step);
  ASSERT_EQ(input.size(), 1u);
  ASSERT_EQ(output.size(), 1u);
  ASSERT_EQ(cost.size(), 1u);
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hops.size(), 1u);
  EXPECT_EQ(input[0].value, 303);
  EXPECT_EQ(output[0].value, 30);
  EXPECT_DOUBLE_EQ(cost[0].value, 0.75);
  EXPECT_EQ(hits[0].value, 1);
  EXPECT_EQ(hops[0].value, 3);
}

TEST_F(MetricsPrometheus, ExecutionsAreCountedByOutcomeAndSource) {
  auto sink = listening();
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  StepRecord limited = record_of("wf", "s", "traditional", now_unix_ms());
  limited.success = false;
  limited.error_class = "rate_limited";
  put(*sink, limited);
  put(*sink, limited);
  StepRecord shadow = record_of("wf", "s", "dspy_optimized", now_unix_ms());
  shadow.source = "shadow";
  put(*sink, shadow);
  auto all = samples_of(scrape());
  auto count = [&](std::map<std::string, std::string> labels) {
    auto s = find_samples(all, "pipeline_step_executions_total", labels);
    return s.size() == 1 ? s[0].value : -1;
  };
  EXPECT_EQ(count({{"variant", "traditional"}, {"outcome", "success"}, {"source", "run"}}), 1);
  EXPECT_EQ(count({{"variant", "traditional"}, {"outcome", "rate_limited"}}), 2);
  EXPECT_EQ(count({{"variant", "dspy_optimized"}, {"source", "shadow"}, {"outcome", "success"}}),
            1);
}

TEST_F(MetricsPrometheus, NoRunIdEpisodeOrProgramIdBecomesALabel) {
  auto sink = listening();
  for (int i = 0; i < 5; ++i) {
    StepRecord r = record_of("wf", "s", "dspy_optimized", now_unix_ms() + i);
    r.run_id = "run-" + std::to_string(i);
    r.episode = "episode-" + std::to_string(i);
    r.program_id = "opt:v1:program-" + std::to_string(i);
    put(*sink, r);
  }
  const std::string text = scrape();
  EXPECT_THAT(text, Not(HasSubstr("run-")));
  EXPECT_THAT(text, Not(HasSubstr("episode-")));
  EXPECT_THAT(text, Not(HasSubstr("program-")));
  EXPECT_THAT(text, Not(HasSubstr("sig-a"))) << "nor the signature hash";
  EXPECT_EQ(find_samples(samples_of(text), "pipeline_step_executions_total").size(), 1u)
      << "five runs of one step are one series";
}

TEST_F(MetricsPrometheus, LabelValuesAreEscapedPerTheExpositionFormat) {
  auto sink = listening();
  const std::string odd = "say \"hi\"\\then\nnext";
  put(*sink, record_of(odd, "s", "traditional", now_unix_ms()));
  const std::string text = scrape();
  EXPECT_THAT(text, HasSubstr(R"(workflow="say \"hi\"\\then\nnext")")) << text;
  auto back = find_samples(samples_of(text), "pipeline_step_executions_total");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].labels.at("workflow"), odd) << "the escapes read back as the name";
  if (::access(kPromtool, X_OK) != 0) GTEST_SKIP() << kPromtoolSkip;
  ProcessResult lint = promtool_check(text);
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err << "\n" << text;
}

TEST_F(MetricsPrometheus, MaxSeriesSendsFurtherLabelSetsToTheOverflowSeries) {
  auto sink = listening(R"("max_series": 3)");
  for (int i = 0; i < 10; ++i)
    put(*sink, record_of("wf", "step" + std::to_string(i), "traditional", now_unix_ms()));
  put(*sink, record_of("wf", "step1", "traditional", now_unix_ms()));
  auto executions = find_samples(samples_of(scrape()), "pipeline_step_executions_total");
  ASSERT_EQ(executions.size(), 4u) << "three label sets and the overflow one";
  double total = 0, overflow = 0;
  for (const auto& s : executions) {
    total += s.value;
    if (s.labels.at("workflow") == "__overflow__") {
      overflow = s.value;
      EXPECT_EQ(s.labels.at("step"), "__overflow__");
    }
  }
  EXPECT_EQ(total, 11) << "sums stay right";
  EXPECT_EQ(overflow, 7) << "step3..step9; step1 was a known label set";
}

TEST_F(MetricsPrometheus, APushGroupsTheSeriesByJobWorkflowAndInstance) {
  if (!PushgatewayServer::available()) GTEST_SKIP() << PushgatewayServer::kSkipMessage;
  PushgatewayServer pg;
  ASSERT_TRUE(pg.start());
  auto sink = make(R"({"pushgateway": ")" + pg.url() + R"(/", "instance": "host-a"})");
  put(*sink, record_of("triage", "classify", "traditional", now_unix_ms()));
  put(*sink, record_of("triage", "classify", "traditional", now_unix_ms()));
  put(*sink, record_of("reports/daily", "summarize", "dspy_optimized", now_unix_ms()));
  Status st = sink->flush();
  ASSERT_TRUE(st.ok()) << st.to_string();
  auto all = samples_of(pg.metrics());
  auto triage = find_samples(
      all, "pipeline_step_executions_total",
      {{"job", "pipeline"}, {"workflow", "triage"}, {"instance", "host-a"}, {"step", "classify"}});
  ASSERT_EQ(triage.size(), 1u) << pg.metrics();
  EXPECT_EQ(triage[0].value, 2);
  auto daily = find_samples(all, "pipeline_step_latency_seconds_count",
                            {{"job", "pipeline"},
                             {"workflow", "reports/daily"},
                             {"instance", "host-a"},
                             {"variant", "dspy_optimized"}});
  ASSERT_EQ(daily.size(), 1u) << "a '/' in a workflow name goes in the base64 form";
  EXPECT_EQ(daily[0].value, 1);
  EXPECT_EQ(find_samples(all, "push_time_seconds", {{"job", "pipeline"}}).size(), 2u)
      << "one group per workflow";

  // A later push replaces the workflow's group with this process's new totals.
  put(*sink, record_of("triage", "classify", "traditional", now_unix_ms()));
  ASSERT_TRUE(sink->flush().ok());
  auto again = find_samples(samples_of(pg.metrics()), "pipeline_step_executions_total",
                            {{"workflow", "triage"}, {"step", "classify"}});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].value, 3);
}

TEST_F(MetricsPrometheus, AnUnreachablePushgatewayFailsTheFlushAndThePushIsRetried) {
  if (!PushgatewayServer::available()) GTEST_SKIP() << PushgatewayServer::kSkipMessage;
  PushgatewayServer pg;
  ASSERT_TRUE(pg.start());
  const std::string url = pg.url();
  pg.stop();
  auto sink = make(R"({"pushgateway": ")" + url + R"(", "job": "batch", "instance": "h"})");
  put(*sink, record_of("wf", "s", "traditional", now_unix_ms()));
  Status st = sink->flush();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_THAT(st.message(), HasSubstr("prometheus metrics sink: push to " + url +
                                      "/metrics/job/batch/workflow/wf/instance/h failed"));
  ASSERT_TRUE(pg.start()) << "again, on the same port";
  ASSERT_EQ(pg.url(), url);
  ASSERT_TRUE(sink->flush().ok()) << "the group that failed is pushed at the next flush";
  auto pushed = find_samples(samples_of(pg.metrics()), "pipeline_step_executions_total",
                             {{"job", "batch"}, {"workflow", "wf"}, {"instance", "h"}});
  ASSERT_EQ(pushed.size(), 1u) << pg.metrics();
  EXPECT_EQ(pushed[0].value, 1);
}

TEST_F(MetricsPrometheus, BadConfigIsRefusedNamingTheSetting) {
  EXPECT_THAT(refusal(create("{}")), HasSubstr("give at least one of 'listen'"));
  EXPECT_THAT(refusal(create(R"({"listen": "127.0.0.1:9464", "port": 1})")),
              HasSubstr("unknown config key 'port'"));
  EXPECT_THAT(refusal(create(R"({"listen": "localhost"})")),
              HasSubstr("'listen' must be HOST:PORT"));
  EXPECT_THAT(refusal(create(R"({"listen": "127.0.0.1:99999"})")),
              HasSubstr("'listen' must be HOST:PORT"));
  EXPECT_THAT(refusal(create(R"({"listen": 9464})")), HasSubstr("'listen' must be a"));
  EXPECT_THAT(refusal(create(R"({"pushgateway": "localhost:9091"})")),
              HasSubstr("'pushgateway' must be an http:// or https:// URL"));
  EXPECT_THAT(refusal(create(R"({"pushgateway": "http://h:9091/metrics/job/x"})")),
              HasSubstr("'pushgateway' is the Pushgateway's base URL"));
  EXPECT_THAT(refusal(create(R"({"textfile": "metrics.txt"})")),
              HasSubstr("'textfile' must name a .prom file"));
  EXPECT_THAT(refusal(create(textfile_config(R"("job": "x")"))),
              HasSubstr("'job' and 'instance' need 'pushgateway'"));
  EXPECT_THAT(refusal(create(textfile_config(R"("max_series": 0)"))),
              HasSubstr("'max_series' must be >= 1"));
  EXPECT_THAT(refusal(create(textfile_config(R"("latency_buckets": [1, 0.5])"))),
              HasSubstr("'latency_buckets' must be a non-empty array of increasing"));
  EXPECT_THAT(refusal(create(textfile_config(R"("host_overhead_buckets": [])"))),
              HasSubstr("'host_overhead_buckets' must be"));
  EXPECT_THAT(refusal(create(R"({"textfile": "a.prom", "listen_file": "x"})")),
              HasSubstr("'listen_file' needs 'listen'"));
}

TEST_F(MetricsPrometheus, AListenAddressInUseIsAClearError) {
  auto first = listening();
  ASSERT_NE(first, nullptr);
  const std::string taken = "127.0.0.1:" + std::to_string(port());
  auto second = create(R"({"listen": ")" + taken + "\"}");
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(),
              HasSubstr("prometheus metrics sink: 'listen': cannot listen on " + taken));
}

TEST_F(MetricsPrometheus, ABadRecordIsRefusedNamingTheMember) {
  auto sink = listening();
  Status st = sink->record(R"({"workflow": "wf", "step": "s", "latency_ms": "slow"})");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("member 'latency_ms' must be a number"));
  EXPECT_THAT(sink->record(R"({"step": "s"})").message(), HasSubstr("'workflow' and 'step'"));
  EXPECT_THAT(scrape(), Not(HasSubstr("pipeline_step_executions_total{")));
}

// A record from a host older than host_overhead_ms.
TEST_F(MetricsPrometheus, ARecordWithoutHostOverheadCountsItAsZero) {
  auto sink = listening();
  json::object doc = record_of("wf", "s", "traditional", now_unix_ms()).to_json();
  doc.erase("host_overhead_ms");
  ASSERT_TRUE(sink->record(json::serialize(doc)).ok());
  auto all = samples_of(scrape());
  auto first_bucket =
      find_samples(all, "pipeline_step_host_overhead_seconds_bucket", {{"le", "0.0001"}});
  ASSERT_EQ(first_bucket.size(), 1u);
  EXPECT_EQ(first_bucket[0].value, 1);
  EXPECT_EQ(find_samples(all, "pipeline_step_host_overhead_seconds_sum").at(0).value, 0);
}

}  // namespace
}  // namespace pipeline::testing
