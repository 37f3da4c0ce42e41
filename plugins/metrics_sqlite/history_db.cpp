#include "history_db.hpp"

#include "history_common/record_columns.hpp"

#include <pipeline/plugin.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string_view>
#include <vector>

namespace pipeline::metrics_sqlite {

namespace json = boost::json;

namespace {

// One column per StepRecord member, in the record's JSON names; the table, the insert, the
// select and the JSON they read and write all come from this one list.
using history_common::Kind;
using Column = history_common::RecordColumn;
constexpr const auto& kColumns = history_common::kRecordColumns;
// Bumped when the table changes shape; a file from a newer version is refused, not rewritten.
// 2: host_overhead_ms.
constexpr int kSchemaVersion = 2;

const char* sql_type(Kind k) {
  switch (k) {
    case Kind::kText:
      return "TEXT NOT NULL DEFAULT ''";
    case Kind::kReal:
      return "REAL NOT NULL DEFAULT 0";
    case Kind::kInt:
    case Kind::kBool:
      return "INTEGER NOT NULL DEFAULT 0";
    case Kind::kOptionalReal:
      return "REAL";
  }
  return "";
}

std::string column_list() {
  std::string s;
  for (const auto& c : kColumns) s += std::string(s.empty() ? "" : ", ") + c.name;
  return s;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Reads a number member that may be stored as int64, uint64 or double.
bool number_of(const json::value& v, double& out) {
  if (v.is_double()) {
    out = v.get_double();
  } else if (v.is_int64()) {
    out = static_cast<double>(v.get_int64());
  } else if (v.is_uint64()) {
    out = static_cast<double>(v.get_uint64());
  } else {
    return false;
  }
  return true;
}

void bind_member(sqlite3_stmt* s, int i, const Column& c, const json::object& record) {
  const json::value* v = record.if_contains(c.name);
  const bool absent = v == nullptr || v->is_null();
  auto wrong = [&](const char* expected) {
    throw HistoryDbError(PL_INVALID_ARGUMENT, std::string("sqlite metrics sink: record member '") +
                                                  c.name + "' must be " + expected);
  };
  switch (c.kind) {
    case Kind::kText: {
      if (absent) {
        sqlite3_bind_text(s, i, "", 0, SQLITE_STATIC);
        return;
      }
      if (!v->is_string()) wrong("a string");
      const json::string& str = v->get_string();
      sqlite3_bind_text(s, i, str.data(), static_cast<int>(str.size()), SQLITE_TRANSIENT);
      return;
    }
    case Kind::kReal:
    case Kind::kOptionalReal: {
      if (absent) {
        if (c.kind == Kind::kOptionalReal) {
          sqlite3_bind_null(s, i);
        } else {
          sqlite3_bind_double(s, i, 0);
        }
        return;
      }
      double d = 0;
      if (!number_of(*v, d)) wrong("a number");
      sqlite3_bind_double(s, i, d);
      return;
    }
    case Kind::kInt: {
      double d = 0;
      if (absent) {
        sqlite3_bind_int64(s, i, 0);
      } else if (v->is_int64()) {
        sqlite3_bind_int64(s, i, v->get_int64());
      } else if (v->is_uint64()) {
        sqlite3_bind_int64(s, i, static_cast<std::int64_t>(v->get_uint64()));
      } else if (number_of(*v, d)) {
        sqlite3_bind_int64(s, i, static_cast<std::int64_t>(d));
      } else {
        wrong("an integer");
      }
      return;
    }
    case Kind::kBool: {
      if (absent) {
        // A record says success unless it says otherwise (StepRecord's default).
        sqlite3_bind_int64(s, i, std::string_view(c.name) == "success" ? 1 : 0);
      } else if (v->is_bool()) {
        sqlite3_bind_int64(s, i, v->get_bool() ? 1 : 0);
      } else {
        wrong("a boolean");
      }
      return;
    }
  }
}

json::value column_value(sqlite3_stmt* s, int i, const Column& c) {
  switch (c.kind) {
    case Kind::kText: {
      const unsigned char* t = sqlite3_column_text(s, i);
      return json::string(t ? reinterpret_cast<const char*>(t) : "",
                          static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
    }
    case Kind::kReal:
      return sqlite3_column_double(s, i);
    case Kind::kOptionalReal:
      if (sqlite3_column_type(s, i) == SQLITE_NULL) return nullptr;
      return sqlite3_column_double(s, i);
    case Kind::kInt:
      return sqlite3_column_int64(s, i);
    case Kind::kBool:
      return sqlite3_column_int64(s, i) != 0;
  }
  return nullptr;
}

}  // namespace

HistoryDb::HistoryDb(Options options) : options_(std::move(options)) {
  // A history in a folder that does not exist yet (a fresh ~/.local/share) is normal.
  if (auto parent = std::filesystem::path(options_.path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(options_.path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);  // sqlite3_open_v2 allocates a handle even when it fails
  if (rc != SQLITE_OK) fail(rc, "open");
  sqlite3_busy_timeout(db_.get(), options_.busy_timeout_ms);
  // The first statement reads the header: a file that is not a database fails here, named.
  exec("PRAGMA journal_mode=WAL");
  // NORMAL is durable across application crashes in WAL mode; a power loss may drop the last
  // few records, which a history can afford.
  exec("PRAGMA synchronous=NORMAL");
  {
    Stmt v = prepare("PRAGMA user_version");
    if (sqlite3_step(v.get()) == SQLITE_ROW && sqlite3_column_int(v.get(), 0) > kSchemaVersion) {
      throw HistoryDbError(PL_FAILED_PRECONDITION,
                           "sqlite metrics sink: '" + options_.path +
                               "' was written by a newer pipeline (history schema version " +
                               std::to_string(sqlite3_column_int(v.get(), 0)) +
                               ", this one reads " + std::to_string(kSchemaVersion) + ")");
    }
  }
  std::string create = "CREATE TABLE IF NOT EXISTS step_records (id INTEGER PRIMARY KEY";
  for (const auto& c : kColumns) create += std::string(", ") + c.name + " " + sql_type(c.kind);
  create += ")";
  exec(create.c_str());
  add_missing_columns();
  // The router's lookup: one workflow's step, one variant, recent first.
  exec(
      "CREATE INDEX IF NOT EXISTS step_records_lookup"
      " ON step_records(workflow, step, variant, unix_ms)");
  // Retention deletes by age.
  exec("CREATE INDEX IF NOT EXISTS step_records_time ON step_records(unix_ms)");
  exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  std::string insert = "INSERT INTO step_records(" + column_list() + ") VALUES(";
  for (std::size_t i = 0; i < std::size(kColumns); ++i) insert += i == 0 ? "?" : ", ?";
  insert += ")";
  insert_ = prepare(insert);
  apply_retention();
}

HistoryDb::~HistoryDb() {
  if (in_transaction_) sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr);
}

void HistoryDb::fail(int rc, const std::string& what) {
  const int primary = rc & 0xFF;
  std::string msg = "sqlite metrics sink: '" + options_.path + "': " + what + ": ";
  msg += db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    // Bad input, not a passing fault: say what to do about it.
    throw HistoryDbError(PL_DATA_LOSS,
                         msg +
                             " (the file is not a readable SQLite history; move it away or "
                             "point 'path' at another file)");
  }
  throw HistoryDbError(
      primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? PL_UNAVAILABLE : PL_INTERNAL, msg);
}

void HistoryDb::exec(const char* sql) {
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, sql);
}

HistoryDb::Stmt HistoryDb::prepare(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) fail(rc, "prepare");
  return Stmt(s);
}

void HistoryDb::step_done(sqlite3_stmt* s, const char* what) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail(rc, what);
}

void HistoryDb::insert(const json::object& record) {
  sqlite3_stmt* s = insert_.get();
  sqlite3_clear_bindings(s);
  int i = 1;
  for (const auto& c : kColumns) bind_member(s, i++, c, record);
  const json::value* wf = record.if_contains("workflow");
  const json::value* st = record.if_contains("step");
  if (!wf || !wf->is_string() || wf->get_string().empty() || !st || !st->is_string() ||
      st->get_string().empty()) {
    throw HistoryDbError(PL_INVALID_ARGUMENT,
                         "sqlite metrics sink: a record needs 'workflow' and 'step'");
  }
  if (!in_transaction_) {
    exec("BEGIN IMMEDIATE");
    in_transaction_ = true;
  }
  step_done(s, "insert");
  ++pending_;
  if (pending_ >= options_.batch_size) commit();
  if (++since_retention_ >= options_.retention_every) apply_retention();
}

void HistoryDb::commit() {
  if (!in_transaction_) return;
  exec("COMMIT");
  in_transaction_ = false;
  pending_ = 0;
}

json::array HistoryDb::query(const HistoryFilter& f) {
  std::string where;
  auto add = [&](const char* cond) {
    where += (where.empty() ? " WHERE " : " AND ") + std::string(cond);
  };
  if (!f.workflow.empty()) add("workflow = :workflow");
  if (!f.step.empty()) add("step = :step");
  if (!f.variant.empty()) add("variant = :variant");
  if (!f.signature_hash.empty()) add("signature_hash = :signature_hash");
  if (!f.mode.empty()) add("mode = :mode");
  if (f.since_unix_ms > 0) add("unix_ms >= :since");
  std::string sql = "SELECT " + column_list() + ", id FROM step_records" + where;
  if (f.limit > 0) {
    // The newest `limit`, handed back oldest first like every answer.
    sql = "SELECT * FROM (" + sql + " ORDER BY unix_ms DESC, id DESC LIMIT :limit)";
  }
  sql += " ORDER BY unix_ms, id";
  Stmt s = prepare(sql);
  auto text = [&](const char* name, const std::string& value) {
    if (int i = sqlite3_bind_parameter_index(s.get(), name); i > 0)
      sqlite3_bind_text(s.get(), i, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  };
  text(":workflow", f.workflow);
  text(":step", f.step);
  text(":variant", f.variant);
  text(":signature_hash", f.signature_hash);
  text(":mode", f.mode);
  if (int i = sqlite3_bind_parameter_index(s.get(), ":since"); i > 0)
    sqlite3_bind_int64(s.get(), i, f.since_unix_ms);
  if (int i = sqlite3_bind_parameter_index(s.get(), ":limit"); i > 0)
    sqlite3_bind_int64(s.get(), i, f.limit);
  json::array out;
  for (;;) {
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) fail(rc, "query");
    json::object row(std::size(kColumns));  // capacity: no rehash while filling
    int i = 0;
    for (const auto& c : kColumns) row[c.name] = column_value(s.get(), i++, c);
    out.push_back(std::move(row));
  }
  return out;
}

void HistoryDb::add_missing_columns() {
  std::vector<std::string> have;
  {
    Stmt info = prepare("PRAGMA table_info(step_records)");
    while (sqlite3_step(info.get()) == SQLITE_ROW) {
      const unsigned char* name = sqlite3_column_text(info.get(), 1);
      if (name != nullptr) have.emplace_back(reinterpret_cast<const char*>(name));
    }
  }
  for (const auto& c : kColumns) {
    if (std::find(have.begin(), have.end(), c.name) != have.end()) continue;
    exec(("ALTER TABLE step_records ADD COLUMN " + std::string(c.name) + " " + sql_type(c.kind))
             .c_str());
  }
}

std::int64_t HistoryDb::apply_retention() {
  since_retention_ = 0;
  std::int64_t removed = 0;
  if (options_.retention_days > 0) {
    Stmt s = prepare("DELETE FROM step_records WHERE unix_ms < ?1");
    sqlite3_bind_int64(s.get(), 1, now_ms() - options_.retention_days * 86400000LL);
    step_done(s.get(), "retention");
    removed += sqlite3_changes(db_.get());
  }
  if (options_.max_records > 0) {
    Stmt s = prepare(
        "DELETE FROM step_records WHERE id IN (SELECT id FROM step_records"
        " ORDER BY unix_ms DESC, id DESC LIMIT -1 OFFSET ?1)");
    sqlite3_bind_int64(s.get(), 1, options_.max_records);
    step_done(s.get(), "retention");
    removed += sqlite3_changes(db_.get());
  }
  return removed;
}

std::int64_t HistoryDb::count() {
  Stmt s = prepare("SELECT COUNT(*) FROM step_records");
  if (sqlite3_step(s.get()) != SQLITE_ROW) fail(sqlite3_errcode(db_.get()), "count");
  return sqlite3_column_int64(s.get(), 0);
}

}  // namespace pipeline::metrics_sqlite
