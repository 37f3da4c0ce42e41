// The postgres history's tables: one column per step-record member, the version table, and the
// migrations that take a database from any older version to this one. ensure_schema() runs them
// in one transaction under an advisory lock, so hosts that start at the same moment on an empty
// database neither race nor fail; a database from a newer pipeline is refused, never rewritten.
//
//   ensure_schema(conn, "\"public\"", timeout);        // throws PgError
//   for (const Column& c : kColumns) ...
#pragma once

#include "pg_connection.hpp"

#include <chrono>
#include <iterator>
#include <string>

namespace pipeline::metrics_postgres {

enum class Kind { kText, kReal, kInt, kBool, kOptionalReal };
struct Column {
  const char* name;
  Kind kind;
};

// In the record's JSON names. The insert, the select and the JSON they read and write all come
// from this one list (the table is made by the migrations, which are history and never change).
inline constexpr Column kColumns[] = {
    {"workflow", Kind::kText},
    {"step", Kind::kText},
    {"run_id", Kind::kText},
    {"episode", Kind::kText},
    {"mode", Kind::kText},
    {"variant", Kind::kText},
    {"signature_hash", Kind::kText},
    {"provider", Kind::kText},
    {"model", Kind::kText},
    {"latency_ms", Kind::kReal},
    {"input_tokens", Kind::kInt},
    {"output_tokens", Kind::kInt},
    {"cost_usd", Kind::kReal},
    {"quality", Kind::kOptionalReal},
    {"metric", Kind::kText},
    {"success", Kind::kBool},
    {"error_class", Kind::kText},
    {"fallback_hops", Kind::kInt},
    {"cache_hit", Kind::kBool},
    {"program_id", Kind::kText},
    {"source", Kind::kText},
    {"unix_ms", Kind::kInt},
    {"host_overhead_ms", Kind::kReal},
};
inline constexpr std::size_t kColumnCount = std::size(kColumns);

// Version 1: the table and its indexes; 2: host_overhead_ms.
inline constexpr int kSchemaVersion = 2;

// "a, b, c" over kColumns.
std::string column_list();

// `schema` is a quoted identifier. Creates or migrates the tables; throws PgError
// (PL_FAILED_PRECONDITION for a database written by a newer pipeline).
void ensure_schema(PgConnection& conn, const std::string& schema,
                   std::chrono::milliseconds timeout);

// The migration to `version` (1..kSchemaVersion), for the docs and the tests' older databases.
std::string migration_sql(int version, const std::string& schema);

// "name" with embedded quotes doubled: a PostgreSQL identifier.
std::string quote_identifier(const std::string& name);

}  // namespace pipeline::metrics_postgres
