// The step record's members as a history table's columns, in the record's JSON names, for the
// sinks with a query side: each builds its table, insert, select and JSON from this one list and
// maps a Kind to its own SQL type. A new record member is one line here (and each store's
// migration of its table).
//
//   for (const RecordColumn& c : kRecordColumns) create += c.name + " " + sql_type(c.kind);
#pragma once

#include <cstddef>
#include <iterator>

namespace pipeline::history_common {

enum class Kind { kText, kReal, kInt, kBool, kOptionalReal };

struct RecordColumn {
  const char* name;
  Kind kind;
};

inline constexpr RecordColumn kRecordColumns[] = {
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
inline constexpr std::size_t kRecordColumnCount = std::size(kRecordColumns);

}  // namespace pipeline::history_common
