// The postgres metrics sink's store: records wait in a bounded in-memory buffer and go to the
// database in multi-row INSERTs of `batch_size` (when a batch fills, at flush, before a query);
// while the database is away they stay buffered, the connection is retried on a capped
// exponential schedule without ever sleeping, and when the buffer is full the oldest record is
// dropped and counted. Used by one thread at a time (the sink is not PL_FLAG_CONCURRENT, so the
// host serializes its calls).
//
//   PostgresHistory h(options);          // tries to connect once; throws PgError only for a
//                                        // database it must not write (a newer schema)
//   h.record(record); h.flush();         // throw PgError when records were dropped / still wait
//   boost::json::array rows = h.query(filter);
#pragma once

#include "pg_connection.hpp"
#include "retry_schedule.hpp"

#include <boost/json.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "history_common/history_filter.hpp"
#include "history_schema.hpp"

namespace pipeline::metrics_postgres {

// Which records a query returns (every member optional; docs/observability.md, "The query side").
using HistoryFilter = history_common::HistoryFilter;

class PostgresHistory {
 public:
  struct Options {
    // libpq keyword/value pairs, the password among them (never shown: see `secrets`).
    std::vector<std::pair<std::string, std::string>> connection;
    std::vector<std::string> secrets;  // forms of the password, redacted from every message
    std::string schema = "public";
    std::int64_t batch_size = 256;
    std::int64_t buffer_records = 10000;
    std::int64_t connect_timeout_ms = 2000;
    std::int64_t statement_timeout_ms = 5000;
    std::int64_t retry_initial_ms = 500;
    std::int64_t retry_max_ms = 30000;
    std::int64_t retention_days = 90;  // 0: keep records of any age
    std::int64_t retention_every = 1000;
    // Where the store says that the database went away or came back (the host's log).
    std::function<void(const std::string&)> warn;
  };

  explicit PostgresHistory(Options options);
  ~PostgresHistory();  // one last attempt to deliver what is buffered
  PostgresHistory(const PostgresHistory&) = delete;
  PostgresHistory& operator=(const PostgresHistory&) = delete;

  // Buffers one record (StepRecord's JSON shape; missing members take their defaults) and writes
  // a full batch. Throws PgError: PL_INVALID_ARGUMENT for a bad record (not buffered),
  // PL_RESOURCE_EXHAUSTED when the buffer was full and the oldest record was dropped.
  void record(const boost::json::object& record);
  // Writes everything buffered; throws PgError (PL_UNAVAILABLE) when records still wait.
  void flush();
  // Writes what is buffered first, so the answer includes this sink's own records.
  boost::json::array query(const HistoryFilter& filter);

  std::size_t buffered() const { return buffer_.size(); }
  std::uint64_t dropped() const { return dropped_; }

 private:
  using Row = std::array<PgParam, kColumnCount>;
  using Clock = std::chrono::steady_clock;

  Row to_row(const boost::json::object& record) const;
  // True when connected (connecting if an attempt is due or `force`).
  bool connected(bool force = false);
  // True when nothing is left in the buffer.
  bool deliver(bool force = false);
  void lost(const PgError& e);
  void apply_retention();
  std::string waiting_message() const;

  Options options_;
  std::string schema_;       // quoted
  std::string insert_full_;  // the INSERT of one full batch, built once
  std::unique_ptr<PgConnection> conn_;
  RetrySchedule retry_;
  std::deque<Row> buffer_;
  std::uint64_t dropped_ = 0;
  std::int64_t since_retention_ = 0;
  std::string last_error_;  // why the database is away (redacted)
  int32_t last_code_ = 0;   // its PL_* status
  std::string rejected_;    // a batch the server refused as bad data, reported at flush
  bool down_logged_ = false;
  bool starting_ = false;  // inside the constructor's first attempt
};

}  // namespace pipeline::metrics_postgres
