// The "sqlite" metrics sink: every step record in one SQLite file (WAL mode), with a query side,
// so the router's history persists across runs. The host's built-in default keeps it at
// $XDG_DATA_HOME/pipeline/history.sqlite.
//
// Config: {"path": "history.sqlite" (required), "busy_timeout_ms": 2000, "batch_size": 256,
//          "retention_days": 90, "max_records": 1000000, "retention_every": 1000}
// Query:  {"workflow", "step", "signature_hash", "variant", "mode", "since_unix_ms", "limit"}
//         -> JSON array of records, oldest first. See docs/observability.md.
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/queryable_metrics_sink.hpp>
#include "cache_common/config_field.hpp"
#include "history_common/history_filter.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <string>

#include "history_db.hpp"

namespace {

namespace json = boost::json;
using pipeline::metrics_sqlite::HistoryDb;
using pipeline::metrics_sqlite::HistoryDbError;
using pipeline::metrics_sqlite::HistoryFilter;
using pipeline::sdk::Error;

constexpr const char* kWho = "sqlite metrics sink";

json::object parse_object(std::string_view text, const char* what) {
  boost::system::error_code ec;
  json::value v = json::parse(text.empty() ? std::string_view("{}") : text, ec);
  if (ec || !v.is_object())
    throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": " + what + " must be a JSON object");
  return std::move(v.as_object());
}

HistoryDb::Options parse_config(std::string_view config) {
  const json::object o = parse_object(config, "config");
  static constexpr std::string_view known[] = {
      "path", "busy_timeout_ms", "batch_size", "retention_days", "max_records", "retention_every"};
  for (const auto& kv : o) {
    if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known)) {
      throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": unknown config key '" +
                                           std::string(kv.key()) +
                                           "' (known: path, busy_timeout_ms, batch_size, "
                                           "retention_days, max_records, retention_every)");
    }
  }
  const json::value* path = o.if_contains("path");
  if (path == nullptr || !path->is_string() || path->as_string().empty())
    throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": 'path' (a file name) is required");
  using pipeline::cache_common::int_field;
  HistoryDb::Options opt;
  opt.path = std::string(path->as_string());
  opt.busy_timeout_ms =
      static_cast<int>(int_field(o, "busy_timeout_ms", opt.busy_timeout_ms, 0, kWho));
  opt.batch_size = int_field(o, "batch_size", opt.batch_size, 1, kWho);
  opt.retention_days = int_field(o, "retention_days", opt.retention_days, 0, kWho);
  opt.max_records = int_field(o, "max_records", opt.max_records, 0, kWho);
  opt.retention_every = int_field(o, "retention_every", opt.retention_every, 1, kWho);
  return opt;
}

HistoryFilter parse_query(std::string_view text) {
  return pipeline::history_common::parse_history_filter(text, kWho);
}

// Turns the store's failures into the statuses the host reads (bad file: DATA_LOSS, locked:
// UNAVAILABLE), with the store's message.
template <class F>
auto guarded(F&& f) {
  try {
    return f();
  } catch (const HistoryDbError& e) {
    throw Error(e.code(), e.what());
  }
}

class SqliteMetricsSink : public pipeline::sdk::QueryableMetricsSink {
 public:
  SqliteMetricsSink(const pl_host_api* host, std::string_view config)
      : QueryableMetricsSink(host, config),
        db_(guarded([&] { return std::make_unique<HistoryDb>(parse_config(config)); })) {}

  void record(std::string_view record_json) override {
    const json::object r = parse_object(record_json, "a record");
    guarded([&] { db_->insert(r); });
  }
  void flush() override {
    guarded([&] { db_->commit(); });
  }
  std::string query(std::string_view query_json) override {
    HistoryFilter f = parse_query(query_json);
    return guarded([&] { return json::serialize(db_->query(f)); });
  }

 private:
  std::unique_ptr<HistoryDb> db_;
};

// The config's JSON Schema; `pipeline plugins --check` creates the sink with its example (an
// in-memory database, so the check writes no file).
constexpr const char* kSchema = R"({"type": "object", "required": ["path"],
  "properties": {"path": {"type": "string"}, "busy_timeout_ms": {"type": "integer", "minimum": 0},
    "batch_size": {"type": "integer", "minimum": 1},
    "retention_days": {"type": "integer", "minimum": 0},
    "max_records": {"type": "integer", "minimum": 0},
    "retention_every": {"type": "integer", "minimum": 1}},
  "additionalProperties": false, "examples": [{"path": ":memory:"}]})";

}  // namespace

PIPELINE_PLUGIN("metrics_sqlite", "1.0.0", "Step records in SQLite, queryable (the history)") {
  // Not concurrent: one connection, and the host serializes record, flush and query.
  pipeline::sdk::add_queryable_metrics_sink<SqliteMetricsSink>(
      r, "sqlite", "1.0.0", 0,
      "Step records in one SQLite file (WAL), indexed by "
      "workflow, step, variant and time; retention by age and "
      "count",
      kSchema);
}
