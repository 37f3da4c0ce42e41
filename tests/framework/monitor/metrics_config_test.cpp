// The `metrics:` section: named sinks like providers, the history naming one of them, the queue
// size; every problem at its line and column; the built-in default under $XDG_DATA_HOME.
#include <pipeline/config/host_config.hpp>
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/monitor/metrics_config.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

namespace pipeline {
namespace {

HostConfig host(const std::string& yaml, Diagnostics& d, const std::string& file = "/etc/h.yaml") {
  HostConfig cfg = HostConfig::builtin();
  auto doc = load_yaml_string(yaml, file, d);
  if (doc) apply_host_config(*doc, file, cfg, d);
  return cfg;
}

// Sets an environment variable for one test and puts the old value back.
class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~EnvVar() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  EnvVar(const EnvVar&) = delete;
  EnvVar& operator=(const EnvVar&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(MetricsConfig, SeveralNamedSinksAndTheHistory) {
  Diagnostics d;
  HostConfig cfg = host(R"(metrics:
  sinks:
    shared: {plugin: sqlite, path: /srv/h.sqlite, retention_days: 7}
    audit: {plugin: jsonl, path: audit.jsonl}
  history: shared
  queue_size: 50
  flush_timeout_ms: 100
)",
                        d);
  ASSERT_FALSE(d.has_errors()) << d.format();
  const MetricsConfig& m = cfg.metrics;
  EXPECT_FALSE(m.builtin);
  ASSERT_EQ(m.sinks.size(), 2u);
  EXPECT_EQ(m.sinks.at("shared").component, "sqlite");
  EXPECT_EQ(m.sinks.at("shared").settings.at("retention_days").as_int64(), 7);
  EXPECT_FALSE(m.sinks.at("shared").settings.contains("plugin"));
  EXPECT_EQ(m.sinks.at("audit").settings.at("path").as_string(), "/etc/audit.jsonl")
      << "a relative path is relative to the config file";
  EXPECT_EQ(m.sinks.at("shared").where.line, 3);
  EXPECT_EQ(m.history, "shared");
  EXPECT_EQ(m.queue_size, 50u);
  EXPECT_EQ(m.flush_timeout_ms, 100);
}

TEST(MetricsConfig, ThePrometheusSinksFilesAreRelativeToTheConfigFileToo) {
  Diagnostics d;
  HostConfig cfg = host(R"(metrics:
  sinks:
    prom: {plugin: prometheus, textfile: node/pipeline.prom, listen: "127.0.0.1:0",
           listen_file: run/listen.addr, pushgateway: "http://pg:9091"}
)",
                        d);
  ASSERT_FALSE(d.has_errors()) << d.format();
  const json::object& s = cfg.metrics.sinks.at("prom").settings;
  EXPECT_EQ(s.at("textfile").as_string(), "/etc/node/pipeline.prom");
  EXPECT_EQ(s.at("listen_file").as_string(), "/etc/run/listen.addr");
  EXPECT_EQ(s.at("listen").as_string(), "127.0.0.1:0") << "only file settings move";
  EXPECT_EQ(s.at("pushgateway").as_string(), "http://pg:9091");
}

TEST(MetricsConfig, ASinkNamedHistoryIsTheHistoryUnlessOneIsNamed) {
  Diagnostics d;
  EXPECT_EQ(
      host("metrics:\n  sinks:\n    history: {plugin: sqlite, path: h.db}\n", d).metrics.history,
      "history");
  EXPECT_EQ(
      host("metrics:\n  sinks:\n    other: {plugin: sqlite, path: h.db}\n", d).metrics.history, "");
  EXPECT_EQ(
      host("metrics:\n  sinks:\n    history: {plugin: sqlite, path: h.db}\n  history: null\n", d)
          .metrics.history,
      "");
  EXPECT_FALSE(d.has_errors()) << d.format();
}

TEST(MetricsConfig, AnEmptySinksMapRecordsNothingToDisk) {
  Diagnostics d;
  HostConfig cfg = host("metrics:\n  sinks: {}\n", d);
  EXPECT_FALSE(d.has_errors());
  EXPECT_TRUE(cfg.metrics.sinks.empty());
  EXPECT_TRUE(cfg.metrics.history.empty());
}

TEST(MetricsConfig, ProblemsAreReportedAtTheirLineAndColumn) {
  Diagnostics d;
  host(R"(metrics:
  sinks:
    nameless: {path: x.db}
    flat: sqlite
  history: missing
  queue_size: 0
  flush_timeout_ms: soon
  colour: blue
)",
       d);
  const std::string out = d.format();
  EXPECT_NE(out.find("/etc/h.yaml:3:5: error: metrics.sinks.nameless: missing 'plugin'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("/etc/h.yaml:4:5: error: metrics.sinks.flat: expected a map with 'plugin', "
                     "found 'sqlite'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("/etc/h.yaml:5:3: error: metrics.history names sink 'missing', which is not "
                     "declared under metrics.sinks (declared: none)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("/etc/h.yaml:6:15: error: metrics.queue_size: expected an integer >= 1, "
                     "found '0'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("/etc/h.yaml:7:21: error: metrics.flush_timeout_ms: expected an integer >= 0"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("/etc/h.yaml:8:3: warning: unknown key 'metrics.colour'"), std::string::npos)
      << out;
}

TEST(MetricsConfig, TheBuiltInHistoryLivesUnderXdgDataHome) {
  EnvVar xdg("XDG_DATA_HOME", "/data/me");
  MetricsConfig m = HostConfig::builtin().metrics;
  EXPECT_TRUE(m.builtin);
  ASSERT_EQ(m.sinks.size(), 1u);
  EXPECT_EQ(m.sinks.at("history").component, "sqlite");
  EXPECT_EQ(m.sinks.at("history").settings.at("path").as_string(),
            "/data/me/pipeline/history.sqlite");
  EXPECT_EQ(m.history, "history");
  EXPECT_EQ(m.queue_size, 10000u);
}

TEST(MetricsConfig, WithoutXdgDataHomeTheHistoryIsUnderLocalShare) {
  EnvVar xdg("XDG_DATA_HOME", nullptr);
  EnvVar home("HOME", "/home/me");
  EXPECT_EQ(MetricsConfig::default_history_path().string(),
            "/home/me/.local/share/pipeline/history.sqlite");
}

TEST(MetricsConfig, AMetricsSectionReplacesTheBuiltInDefault) {
  Diagnostics d;
  HostConfig cfg = host("metrics:\n  queue_size: 5\n", d);
  EXPECT_FALSE(cfg.metrics.builtin);
  EXPECT_TRUE(cfg.metrics.sinks.empty());
  EXPECT_EQ(cfg.metrics.queue_size, 5u);
}

}  // namespace
}  // namespace pipeline
