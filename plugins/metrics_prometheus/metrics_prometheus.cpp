// The "prometheus" metrics sink: counters and histograms of the step records in Prometheus' text
// format, in any combination of three outputs:
//   listen: HOST:PORT     an HTTP GET /metrics endpoint for as long as the process lives;
//   pushgateway: URL      a PUT per workflow at each flush that has new records, grouped by
//                         job, workflow and instance (the host);
//   textfile: PATH.prom   a file replaced atomically at each flush, for node_exporter.
// Config and metric names: docs/observability.md, "The prometheus sink".
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/atomic_file.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <boost/json.hpp>

#include <memory>
#include <set>
#include <string>

#include "metrics_listener.hpp"
#include "pushgateway_client.hpp"
#include "sink_settings.hpp"
#include "step_metrics.hpp"

namespace {

namespace json = boost::json;
using namespace pipeline::metrics_prometheus;
using pipeline::sdk::Error;

[[noreturn]] void bad_record(const std::string& why) {
  throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": a record " + why);
}

std::string str(const json::object& r, const char* key) {
  const json::value* v = r.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_string()) bad_record(std::string("member '") + key + "' must be a string");
  return std::string(v->get_string());
}

double num(const json::object& r, const char* key) {
  const json::value* v = r.if_contains(key);
  if (v == nullptr || v->is_null()) return 0;  // e.g. host_overhead_ms from an older host
  if (!v->is_number()) bad_record(std::string("member '") + key + "' must be a number");
  return v->to_number<double>();
}

bool flag(const json::object& r, const char* key, bool fallback) {
  const json::value* v = r.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) bad_record(std::string("member '") + key + "' must be true or false");
  return v->get_bool();
}

Observation observation_of(std::string_view record_json) {
  boost::system::error_code ec;
  json::value v = pipeline::sdk::parse_json(record_json, ec);
  if (ec || !v.is_object()) bad_record("must be a JSON object");
  const json::object& r = v.get_object();
  Observation o;
  o.workflow = str(r, "workflow");
  o.step = str(r, "step");
  if (o.workflow.empty() || o.step.empty()) bad_record("needs 'workflow' and 'step'");
  o.mode = str(r, "mode");
  o.variant = str(r, "variant");
  o.source = str(r, "source");
  if (o.source.empty()) o.source = "run";
  if (flag(r, "success", true)) {
    o.outcome = "success";
  } else {
    o.outcome = str(r, "error_class");
    if (o.outcome.empty()) o.outcome = "error";
  }
  o.provider = str(r, "provider");
  o.model = str(r, "model");
  o.latency_seconds = num(r, "latency_ms") / 1000.0;
  o.host_overhead_seconds = num(r, "host_overhead_ms") / 1000.0;
  o.input_tokens = static_cast<std::int64_t>(num(r, "input_tokens"));
  o.output_tokens = static_cast<std::int64_t>(num(r, "output_tokens"));
  o.cost_usd = num(r, "cost_usd");
  o.cache_hit = flag(r, "cache_hit", false);
  o.fallback_hops = static_cast<std::int64_t>(num(r, "fallback_hops"));
  return o;
}

class PrometheusMetricsSink : public pipeline::sdk::MetricsSink {
 public:
  PrometheusMetricsSink(const pl_host_api* host, std::string_view config)
      : MetricsSink(host, config),
        settings_(parse_sink_settings(config)),
        metrics_(
            {settings_.max_series, settings_.latency_buckets, settings_.host_overhead_buckets}) {
    if (!settings_.pushgateway.empty()) {
      push_ = std::make_unique<PushgatewayClient>(settings_.pushgateway, settings_.push_timeout_ms);
    }
    if (settings_.listens()) {
      listener_ = std::make_unique<MetricsListener>(settings_.listen_host, settings_.listen_port,
                                                    [this] { return metrics_.render(); });
      if (!settings_.listen_file.empty()) {
        if (auto w =
                pipeline::atomic_write_file(settings_.listen_file, listener_->address() + "\n");
            !w) {
          throw Error(PL_UNAVAILABLE, std::string(kWho) + ": 'listen_file': " + w.message);
        }
      }
      this->host().info(std::string(kWho) + ": serving http://" + listener_->address() +
                        "/metrics");
    }
  }

  void record(std::string_view record_json) override {
    const Observation o = observation_of(record_json);
    unpushed_.insert(metrics_.add(o));
    textfile_stale_ = true;
  }

  // Writes the textfile and pushes the workflows that have new records; a failure of either is
  // the flush's error (the monitor counts it), and what failed to push is retried next flush.
  void flush() override {
    std::string errors;
    if (!settings_.textfile.empty() && textfile_stale_) {
      if (auto w = pipeline::atomic_write_file(settings_.textfile, metrics_.render()); w) {
        textfile_stale_ = false;
      } else {
        errors += "'textfile': " + w.message;
      }
    }
    if (push_) {
      for (auto it = unpushed_.begin(); it != unpushed_.end();) {
        const GroupingKey key = {
            {"job", settings_.job}, {"workflow", *it}, {"instance", settings_.instance}};
        if (std::string e = push_->put(key, metrics_.render_workflow(*it)); !e.empty()) {
          errors += (errors.empty() ? "" : "; ") + e;
          ++it;
        } else {
          it = unpushed_.erase(it);
        }
      }
    } else {
      unpushed_.clear();
    }
    if (!errors.empty()) throw Error(PL_UNAVAILABLE, std::string(kWho) + ": " + errors);
  }

 private:
  SinkSettings settings_;
  StepMetrics metrics_;
  std::unique_ptr<PushgatewayClient> push_;
  std::set<std::string> unpushed_;  // workflows whose group changed since its last push
  bool textfile_stale_ = false;
  std::unique_ptr<MetricsListener> listener_;  // last: it stops before what it renders goes
};

constexpr const char* kSchema = R"({"type": "object",
  "properties": {"listen": {"type": "string"}, "listen_file": {"type": "string"},
    "pushgateway": {"type": "string"}, "job": {"type": "string"},
    "instance": {"type": "string"}, "push_timeout_ms": {"type": "integer", "minimum": 1},
    "textfile": {"type": "string"}, "max_series": {"type": "integer", "minimum": 1},
    "latency_buckets": {"type": "array", "items": {"type": "number"}, "minItems": 1},
    "host_overhead_buckets": {"type": "array", "items": {"type": "number"}, "minItems": 1}},
  "additionalProperties": false, "examples": [{"listen": "127.0.0.1:0"}]})";

}  // namespace

PIPELINE_PLUGIN("metrics_prometheus", "1.0.0",
                "Step metrics for Prometheus: /metrics endpoint, Pushgateway, textfile") {
  // Not concurrent: the host serializes record and flush; the listener's thread reads the
  // metrics under their own lock.
  r.add_metrics_sink<PrometheusMetricsSink>(
      "prometheus", "1.0.0", 0,
      "Counters and histograms of the step records (executions, latency, tokens, cost, cache "
      "hits, fallback hops, host overhead) served on /metrics, pushed to a Pushgateway or "
      "written to a node_exporter textfile",
      kSchema);
}
