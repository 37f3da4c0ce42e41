#include "history_schema.hpp"

#include <pipeline/plugin.h>

#include <cstdlib>

namespace pipeline::metrics_postgres {

std::string column_list() {
  std::string s;
  for (const auto& c : kColumns) s += std::string(s.empty() ? "" : ", ") + c.name;
  return s;
}

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string migration_sql(int version, const std::string& schema) {
  const std::string t = schema + ".step_records";
  switch (version) {
    case 1:
      return "CREATE TABLE IF NOT EXISTS " + t +
             " (id bigserial PRIMARY KEY,"
             " workflow text NOT NULL DEFAULT '', step text NOT NULL DEFAULT '',"
             " run_id text NOT NULL DEFAULT '', episode text NOT NULL DEFAULT '',"
             " mode text NOT NULL DEFAULT '', variant text NOT NULL DEFAULT '',"
             " signature_hash text NOT NULL DEFAULT '', provider text NOT NULL DEFAULT '',"
             " model text NOT NULL DEFAULT '', latency_ms double precision NOT NULL DEFAULT 0,"
             " input_tokens bigint NOT NULL DEFAULT 0, output_tokens bigint NOT NULL DEFAULT 0,"
             " cost_usd double precision NOT NULL DEFAULT 0, quality double precision,"
             " metric text NOT NULL DEFAULT '', success boolean NOT NULL DEFAULT true,"
             " error_class text NOT NULL DEFAULT '', fallback_hops bigint NOT NULL DEFAULT 0,"
             " cache_hit boolean NOT NULL DEFAULT false, program_id text NOT NULL DEFAULT '',"
             " source text NOT NULL DEFAULT '', unix_ms bigint NOT NULL DEFAULT 0);"
             // The router's lookup: one workflow's step, one variant, recent first.
             " CREATE INDEX IF NOT EXISTS step_records_lookup ON " +
             t +
             " (workflow, step, variant, unix_ms);"
             // Retention deletes by age; `pipeline compare` and reports read by time.
             " CREATE INDEX IF NOT EXISTS step_records_time ON " +
             t + " (unix_ms)";
    case 2:
      return "ALTER TABLE " + t +
             " ADD COLUMN IF NOT EXISTS host_overhead_ms double precision NOT NULL DEFAULT 0";
    default:
      return {};
  }
}

void ensure_schema(PgConnection& conn, const std::string& schema,
                   std::chrono::milliseconds timeout) {
  const std::string versions = schema + ".pipeline_schema";
  // Check the version before locking: a current database (every start but the first) costs one
  // read, and a newer one is refused without waiting for anybody's lock.
  auto current = [&]() -> int {
    PgResult r = conn.exec("SELECT to_regclass($1) IS NOT NULL", {std::string(versions)}, timeout);
    if (PQgetvalue(r.get(), 0, 0)[0] != 't') return 0;
    PgResult v = conn.exec("SELECT coalesce(max(version), 0) FROM " + versions, timeout);
    return std::atoi(PQgetvalue(v.get(), 0, 0));
  };
  auto refuse_newer = [&](int found) {
    if (found > kSchemaVersion) {
      throw PgError(PL_FAILED_PRECONDITION,
                    "postgres metrics sink: schema " + schema +
                        " was written by a newer pipeline (history schema version " +
                        std::to_string(found) + ", this one reads " +
                        std::to_string(kSchemaVersion) +
                        "); upgrade this host, or point 'schema' at another schema");
    }
  };
  int found = current();
  refuse_newer(found);
  if (found == kSchemaVersion) return;
  // One transaction under one lock for every host of this schema: the first creates, the others
  // wait and then find it made. (CREATE ... IF NOT EXISTS alone races on the catalog.)
  conn.exec("BEGIN", timeout);
  conn.exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            {std::string("pipeline history " + schema)}, timeout);
  PgResult ns = conn.exec("SELECT to_regnamespace($1) IS NOT NULL", {std::string(schema)}, timeout);
  if (PQgetvalue(ns.get(), 0, 0)[0] != 't') conn.exec("CREATE SCHEMA " + schema, timeout);
  conn.exec("CREATE TABLE IF NOT EXISTS " + versions + " (version integer NOT NULL)", timeout);
  found = current();
  refuse_newer(found);
  for (int v = found + 1; v <= kSchemaVersion; ++v) conn.exec(migration_sql(v, schema), timeout);
  conn.exec("DELETE FROM " + versions, timeout);
  conn.exec("INSERT INTO " + versions + " VALUES (" + std::to_string(kSchemaVersion) + ")",
            timeout);
  conn.exec("COMMIT", timeout);
}

}  // namespace pipeline::metrics_postgres
