// The "postgres" metrics sink: every step record in a PostgreSQL table, with a query side (the
// same contract as the sqlite sink's), so many hosts route from one shared history.
//
// Config: {"dsn": "host=db.internal dbname=pipeline user=pipeline" (a libpq conninfo or URI,
//          without a password; absent: libpq's PG* variables), "password_env": "PIPELINE_PG_PW",
//          "schema": "public", "batch_size": 256, "buffer_records": 10000,
//          "connect_timeout_ms": 2000, "statement_timeout_ms": 5000, "retry_initial_ms": 500,
//          "retry_max_ms": 30000, "retention_days": 90, "retention_every": 1000}
// Query:  {"workflow", "step", "signature_hash", "variant", "mode", "since_unix_ms", "limit"}
//         -> JSON array of records, oldest first. See docs/observability.md.
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/queryable_metrics_sink.hpp>
#include <pipeline/sdk/secret.hpp>
#include "cache_common/config_field.hpp"
#include "history_common/history_filter.hpp"

#include <libpq-fe.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include "postgres_history.hpp"

namespace {

namespace json = boost::json;
using pipeline::metrics_postgres::HistoryFilter;
using pipeline::metrics_postgres::PgError;
using pipeline::metrics_postgres::PostgresHistory;
using pipeline::sdk::Error;

constexpr const char* kWho = "postgres metrics sink";
// 65535 bind parameters per statement, one per column per row.
constexpr std::int64_t kMaxBatch = 2000;

json::object parse_object(std::string_view text, const char* what) {
  boost::system::error_code ec;
  json::value v = json::parse(text.empty() ? std::string_view("{}") : text, ec);
  if (ec || !v.is_object())
    throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": " + what + " must be a JSON object");
  return std::move(v.as_object());
}

std::string string_field(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_string())
    throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": '" + key + "' must be a string");
  return std::string(v->get_string());
}

// The dsn is checked with libpq's own parser, without echoing it: a malformed one may hold a
// password its author meant to move out.
void check_dsn(const std::string& dsn) {
  if (dsn.empty()) return;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (opts == nullptr) {
    throw Error(PL_INVALID_ARGUMENT,
                std::string(kWho) +
                    ": 'dsn' is not a libpq connection string (key=value pairs, or a "
                    "postgresql:// URI)");
  }
  bool has_password = false;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr && *o->val != '\0')
      has_password = true;
  }
  PQconninfoFree(opts);
  if (has_password) {
    throw Error(PL_INVALID_ARGUMENT,
                std::string(kWho) +
                    ": 'dsn' contains a password; configs are read and logged, so keep it out: "
                    "put it in an environment variable and name that with 'password_env' (or "
                    "use PGPASSWORD or ~/.pgpass)");
  }
}

PostgresHistory::Options parse_config(std::string_view config) {
  const json::object o = parse_object(config, "config");
  static constexpr std::string_view known[] = {"dsn",
                                               "password_env",
                                               "schema",
                                               "batch_size",
                                               "buffer_records",
                                               "connect_timeout_ms",
                                               "statement_timeout_ms",
                                               "retry_initial_ms",
                                               "retry_max_ms",
                                               "retention_days",
                                               "retention_every"};
  for (const auto& kv : o) {
    if (kv.key() == "password") {
      throw Error(PL_INVALID_ARGUMENT,
                  std::string(kWho) +
                      ": 'password' is not accepted in a config (configs are read and logged); "
                      "put the password in an environment variable and name it with "
                      "'password_env'");
    }
    if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known)) {
      throw Error(PL_INVALID_ARGUMENT,
                  std::string(kWho) + ": unknown config key '" + std::string(kv.key()) +
                      "' (known: dsn, password_env, schema, batch_size, buffer_records, "
                      "connect_timeout_ms, statement_timeout_ms, retry_initial_ms, "
                      "retry_max_ms, retention_days, retention_every)");
    }
  }
  using pipeline::cache_common::int_field;
  PostgresHistory::Options opt;
  const std::string dsn = string_field(o, "dsn");
  check_dsn(dsn);
  if (!dsn.empty()) opt.connection.emplace_back("dbname", dsn);  // expanded as a conninfo/URI
  std::string password;
  if (const std::string env = string_field(o, "password_env"); !env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || pipeline::sdk::trim_secret(value).empty()) {
      throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": the password variable " + env +
                                           " ('password_env') is not set");
    }
    password = pipeline::sdk::trim_secret(value);
    opt.connection.emplace_back("password", password);
    opt.secrets = pipeline::sdk::secret_forms(value);
  }
  // libpq's own variable is as secret as ours: its forms are redacted too.
  if (const char* pg = std::getenv("PGPASSWORD"); pg != nullptr && *pg != '\0') {
    for (auto& f : pipeline::sdk::secret_forms(pg)) opt.secrets.push_back(std::move(f));
  }
  opt.schema = string_field(o, "schema");
  if (o.contains("schema") && opt.schema.empty())
    throw Error(PL_INVALID_ARGUMENT, std::string(kWho) + ": 'schema' must not be empty");
  if (opt.schema.empty()) opt.schema = "public";
  opt.batch_size = int_field(o, "batch_size", opt.batch_size, 1, kWho);
  if (opt.batch_size > kMaxBatch) {
    throw Error(PL_INVALID_ARGUMENT,
                std::string(kWho) + ": 'batch_size' must be <= " + std::to_string(kMaxBatch));
  }
  opt.buffer_records = int_field(o, "buffer_records", opt.buffer_records, 1, kWho);
  opt.connect_timeout_ms = int_field(o, "connect_timeout_ms", opt.connect_timeout_ms, 1, kWho);
  opt.statement_timeout_ms =
      int_field(o, "statement_timeout_ms", opt.statement_timeout_ms, 1, kWho);
  opt.retry_initial_ms = int_field(o, "retry_initial_ms", opt.retry_initial_ms, 1, kWho);
  opt.retry_max_ms = int_field(o, "retry_max_ms", opt.retry_max_ms, 1, kWho);
  opt.retention_days = int_field(o, "retention_days", opt.retention_days, 0, kWho);
  opt.retention_every = int_field(o, "retention_every", opt.retention_every, 1, kWho);
  // libpq's own bound too (whole seconds, at least 2), for the hosts it tries one after another.
  opt.connection.emplace_back("connect_timeout", std::to_string(std::max<std::int64_t>(
                                                     2, (opt.connect_timeout_ms + 999) / 1000)));
  opt.connection.emplace_back("client_encoding", "UTF8");
  opt.connection.emplace_back("fallback_application_name", "pipeline");
  return opt;
}

HistoryFilter parse_query(std::string_view text) {
  return pipeline::history_common::parse_history_filter(text, kWho);
}

// The store's failures as the statuses the host reads, with the store's (redacted) message.
template <class F>
auto guarded(F&& f) {
  try {
    return f();
  } catch (const PgError& e) {
    throw Error(e.code(), e.what());
  }
}

class PostgresMetricsSink : public pipeline::sdk::QueryableMetricsSink {
 public:
  PostgresMetricsSink(const pl_host_api* host, std::string_view config)
      : QueryableMetricsSink(host, config), history_(guarded([&] {
          PostgresHistory::Options opt = parse_config(config);
          opt.warn = [this](const std::string& m) { this->host().warn(m); };
          return std::make_unique<PostgresHistory>(std::move(opt));
        })) {}

  void record(std::string_view record_json) override {
    const json::object r = parse_object(record_json, "a record");
    guarded([&] { history_->record(r); });
  }
  void flush() override {
    guarded([&] { history_->flush(); });
  }
  std::string query(std::string_view query_json) override {
    HistoryFilter f = parse_query(query_json);
    return guarded([&] { return json::serialize(history_->query(f)); });
  }

 private:
  std::unique_ptr<PostgresHistory> history_;
};

// The config's JSON Schema. `pipeline plugins --check` creates the sink with its example: a
// loopback port nobody listens on, refused at once, so the check needs no database.
constexpr const char* kSchema = R"({"type": "object",
  "properties": {"dsn": {"type": "string"}, "password_env": {"type": "string"},
    "schema": {"type": "string", "minLength": 1},
    "batch_size": {"type": "integer", "minimum": 1, "maximum": 2000},
    "buffer_records": {"type": "integer", "minimum": 1},
    "connect_timeout_ms": {"type": "integer", "minimum": 1},
    "statement_timeout_ms": {"type": "integer", "minimum": 1},
    "retry_initial_ms": {"type": "integer", "minimum": 1},
    "retry_max_ms": {"type": "integer", "minimum": 1},
    "retention_days": {"type": "integer", "minimum": 0},
    "retention_every": {"type": "integer", "minimum": 1}},
  "additionalProperties": false,
  "examples": [{"dsn": "host=127.0.0.1 port=1 dbname=pipeline", "connect_timeout_ms": 500}]})";

}  // namespace

PIPELINE_PLUGIN("metrics_postgres", "1.0.0",
                "Step records in PostgreSQL, queryable (a history shared by many hosts)") {
  // Not concurrent: one connection, and the host serializes record, flush and query.
  pipeline::sdk::add_queryable_metrics_sink<PostgresMetricsSink>(
      r, "postgres", "1.0.0", 0,
      "Step records in a PostgreSQL table (libpq), batched, buffered while the database is "
      "away; indexed by workflow, step, variant and time",
      kSchema);
}
