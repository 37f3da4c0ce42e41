// The sqlite metrics sink's file: one table of step records (a column per record member),
// indexed for the router's lookups (workflow, step, variant, time), in WAL mode. Inserts are
// batched in a transaction that commit() (the sink's flush) or a full batch ends. Owned
// RAII-style; used by one thread at a time (the sink is not PL_FLAG_CONCURRENT, so the host
// serializes its calls).
//
//   HistoryDb db({.path = "history.sqlite"});   // throws HistoryDbError
//   db.insert(record); db.commit();
//   boost::json::array rows = db.query(filter);
#pragma once

#include <sqlite3.h>

#include "history_common/history_filter.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace pipeline::metrics_sqlite {

// An SQLite call failed, or the file is not a history database; `code` is a PL_* status.
class HistoryDbError : public std::runtime_error {
 public:
  HistoryDbError(int32_t code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int32_t code() const noexcept { return code_; }

 private:
  int32_t code_;
};

// Which records a query returns (every member optional; see docs/observability.md).
using HistoryFilter = history_common::HistoryFilter;

class HistoryDb {
 public:
  struct Options {
    std::string path;
    int busy_timeout_ms = 2000;
    std::int64_t batch_size = 256;        // inserts per transaction before an automatic commit
    std::int64_t retention_days = 90;     // 0: keep records of any age
    std::int64_t max_records = 1000000;   // 0: no bound
    std::int64_t retention_every = 1000;  // inserts between retention passes
  };

  explicit HistoryDb(Options options);
  ~HistoryDb();  // commits what is pending
  HistoryDb(const HistoryDb&) = delete;
  HistoryDb& operator=(const HistoryDb&) = delete;

  // One record (a JSON object in StepRecord's shape); missing members take their defaults.
  void insert(const boost::json::object& record);
  void commit();
  boost::json::array query(const HistoryFilter& filter);
  // Deletes records older than retention_days and the oldest beyond max_records; returns how
  // many went.
  std::int64_t apply_retention();
  std::int64_t count();

 private:
  struct DbClose {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct StmtFinalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

  void exec(const char* sql);
  // An older schema's table lacks the newer members' columns: ALTER TABLE adds them (with their
  // defaults), so an upgrade keeps every record.
  void add_missing_columns();
  Stmt prepare(const std::string& sql);
  [[noreturn]] void fail(int rc, const std::string& what);
  void step_done(sqlite3_stmt* s, const char* what);

  Options options_;
  std::unique_ptr<sqlite3, DbClose> db_;
  Stmt insert_;
  bool in_transaction_ = false;
  std::int64_t pending_ = 0;
  std::int64_t since_retention_ = 0;
};

}  // namespace pipeline::metrics_sqlite
