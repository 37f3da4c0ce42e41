// The "jsonl" metrics sink: every step record as one line of a JSON-lines file (the record as the
// host hands it, then '\n'), appended, for log pipelines (Vector, Fluent Bit, Loki's promtail)
// and `jq`. Never a torn line after a crash, rotation by size and by UTC day with a bounded
// number of kept files, several processes may share the file (jsonl_log.hpp).
//
// Config: {"path": "audit.jsonl" (required), "buffer_records": 256, "fsync": false,
//          "max_bytes": 0, "rotate_daily": false, "max_files": 14}. See docs/observability.md.
#include <pipeline/plugin.hpp>
#include "cache_common/config_field.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <memory>
#include <string>

#include "jsonl_log.hpp"

namespace {

namespace json = boost::json;
using pipeline::metrics_jsonl::JsonlLog;
using pipeline::metrics_jsonl::JsonlLogError;
using pipeline::sdk::Error;

constexpr const char* kWho = "jsonl metrics sink";

bool bool_field(const json::object& o, const char* name, bool fallback) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return fallback;
  if (!v->is_bool())
    throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": '" + name + "' must be true or false");
  return v->get_bool();
}

struct Settings {
  JsonlLog::Options log;
  std::int64_t buffer_records = 256;
};

Settings parse_config(std::string_view config) {
  boost::system::error_code ec;
  json::value v = json::parse(config.empty() ? std::string_view("{}") : config, ec);
  if (ec || !v.is_object())
    throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": config must be a JSON object");
  const json::object& o = v.as_object();
  static constexpr std::string_view known[] = {"path",      "buffer_records", "fsync",
                                               "max_bytes", "rotate_daily",   "max_files"};
  for (const auto& kv : o) {
    if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known)) {
      throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": unknown config key '" +
                                           std::string(kv.key()) +
                                           "' (known: path, buffer_records, fsync, max_bytes, "
                                           "rotate_daily, max_files)");
    }
  }
  const json::value* path = o.if_contains("path");
  if (path == nullptr || !path->is_string() || path->as_string().empty())
    throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": 'path' (a file name) is required");
  using pipeline::cache_common::int_field;
  Settings s;
  s.log.path = std::string(path->as_string());
  s.buffer_records = int_field(o, "buffer_records", s.buffer_records, 1, kWho);
  s.log.fsync = bool_field(o, "fsync", s.log.fsync);
  s.log.max_bytes = int_field(o, "max_bytes", s.log.max_bytes, 0, kWho);
  s.log.rotate_daily = bool_field(o, "rotate_daily", s.log.rotate_daily);
  s.log.max_files = int_field(o, "max_files", s.log.max_files, 0, kWho);
  return s;
}

template <class F>
auto guarded(F&& f) {
  try {
    return f();
  } catch (const JsonlLogError& e) {
    throw Error(e.code(), e.what());
  }
}

class JsonlMetricsSink : public pipeline::sdk::MetricsSink {
 public:
  JsonlMetricsSink(const pl_host_api* host, std::string_view config)
      : JsonlMetricsSink(host, config, parse_config(config)) {}
  ~JsonlMetricsSink() override {
    try {
      write_pending();
    } catch (...) {
      // Destruction cannot report; the monitor flushed (and heard of errors) before this.
    }
  }

  void record(std::string_view record_json) override {
    // Only a JSON object becomes a line, so every line parses.
    boost::system::error_code ec;
    json::value v = json::parse(record_json, ec);
    if (ec || !v.is_object())
      throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": a record must be a JSON object");
    const std::size_t at = pending_.size();
    pending_.append(record_json);
    // A raw line break can only be whitespace between tokens (JSON strings escape them): a
    // space means the same and keeps the record on its line.
    std::replace_if(
        pending_.begin() + static_cast<std::ptrdiff_t>(at), pending_.end(),
        [](char c) { return c == '\n' || c == '\r'; }, ' ');
    pending_ += '\n';
    if (++pending_records_ >= buffer_records_) write_pending();
  }
  void flush() override { write_pending(); }

 private:
  JsonlMetricsSink(const pl_host_api* host, std::string_view config, Settings s)
      : MetricsSink(host, config),
        buffer_records_(s.buffer_records),
        log_(guarded([&] { return std::make_unique<JsonlLog>(std::move(s.log)); })) {}

  // The buffered records in one write; if it fails they are gone (the error says how many), so a
  // full disk never grows the buffer without bound.
  void write_pending() {
    if (pending_.empty()) return;
    std::string batch;
    batch.swap(pending_);
    const std::int64_t count = pending_records_;
    pending_records_ = 0;
    try {
      log_->append(batch);
    } catch (const JsonlLogError& e) {
      throw Error(e.code(),
                  std::string(e.what()) + " (" + std::to_string(count) + " record(s) lost)");
    }
    batch.clear();
    pending_.swap(batch);  // keep the capacity for the next batch
  }

  std::int64_t buffer_records_;
  std::unique_ptr<JsonlLog> log_;
  std::string pending_;  // whole lines
  std::int64_t pending_records_ = 0;
};

// The config's JSON Schema; `pipeline plugins --check` creates the sink with its example (which
// writes nothing: records only reach the file when they come).
constexpr const char* kSchema = R"({"type": "object", "required": ["path"],
  "properties": {"path": {"type": "string"},
    "buffer_records": {"type": "integer", "minimum": 1},
    "fsync": {"type": "boolean"},
    "max_bytes": {"type": "integer", "minimum": 0},
    "rotate_daily": {"type": "boolean"},
    "max_files": {"type": "integer", "minimum": 0}},
  "additionalProperties": false, "examples": [{"path": "/dev/null"}]})";

}  // namespace

PIPELINE_PLUGIN("metrics_jsonl", "1.0.0", "Step records as JSON lines, rotated, crash-safe") {
  // Not concurrent: the host serializes record and flush (the monitor's one worker calls them).
  r.add_metrics_sink<JsonlMetricsSink>(
      "jsonl", "1.0.0", 0,
      "Step records as JSON lines appended to a file; rotation by size and by UTC day, a bounded "
      "number of kept files, never a torn line after a crash",
      kSchema);
}
