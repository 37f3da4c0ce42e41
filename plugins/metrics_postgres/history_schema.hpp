// The postgres history's tables: one column per step-record member, the version table, and the
// migrations that take a database from any older version to this one. ensure_schema() runs them
// in one transaction under an advisory lock, so hosts that start at the same moment on an empty
// database neither race nor fail; a database from a newer pipeline is refused, never rewritten.
//
//   ensure_schema(conn, "\"public\"", timeout);        // throws PgError
//   for (const Column& c : kColumns) ...
#pragma once

#include "history_common/record_columns.hpp"
#include "pg_connection.hpp"

#include <chrono>
#include <iterator>
#include <string>

namespace pipeline::metrics_postgres {

using history_common::Kind;
using Column = history_common::RecordColumn;
// The insert, the select and the JSON they read and write all come from this one list (the table
// is made by the migrations, which are history and never change).
inline constexpr const auto& kColumns = history_common::kRecordColumns;
inline constexpr std::size_t kColumnCount = history_common::kRecordColumnCount;

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
