#include "postgres_history.hpp"

#include <pipeline/plugin.h>

#include <charconv>
#include <chrono>
#include <string_view>

namespace pipeline::metrics_postgres {

namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

// Shortest text that reads back as the same double (PostgreSQL parses it exactly).
std::string real_text(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, ec == std::errc() ? end : buf);
}

constexpr std::string_view kPrefix = "postgres metrics sink: ";

// A PgError's message without the sink's name, to go inside a message that has it already.
std::string reason_of(const PgError& e) {
  std::string_view m = e.what();
  if (m.substr(0, kPrefix.size()) == kPrefix) m.remove_prefix(kPrefix.size());
  return std::string(m);
}

std::string insert_sql(const std::string& schema, std::size_t rows) {
  std::string sql = "INSERT INTO " + schema + ".step_records(" + column_list() + ") VALUES ";
  std::size_t n = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (std::size_t c = 0; c < kColumnCount; ++c)
      sql += (c == 0 ? "$" : ", $") + std::to_string(n++);
    sql += ")";
  }
  return sql;
}

json::value column_value(const PGresult* r, int row, int col, const Column& c) {
  const char* v = PQgetvalue(r, row, col);
  const std::string_view text(v, static_cast<std::size_t>(PQgetlength(r, row, col)));
  switch (c.kind) {
    case Kind::kText:
      return json::string(text);
    case Kind::kOptionalReal:
      if (PQgetisnull(r, row, col)) return nullptr;
      [[fallthrough]];
    case Kind::kReal: {
      double d = 0;
      std::from_chars(text.data(), text.data() + text.size(), d);
      return d;
    }
    case Kind::kInt: {
      std::int64_t i = 0;
      std::from_chars(text.data(), text.data() + text.size(), i);
      return i;
    }
    case Kind::kBool:
      return text == "t";
  }
  return nullptr;
}

}  // namespace

PostgresHistory::PostgresHistory(Options options)
    : options_(std::move(options)),
      schema_(quote_identifier(options_.schema)),
      insert_full_(insert_sql(schema_, static_cast<std::size_t>(options_.batch_size))),
      retry_(milliseconds(options_.retry_initial_ms), milliseconds(options_.retry_max_ms)) {
  // A database this version must not write is bad configuration, said now; an unreachable one
  // is a passing state (records wait), reported by flush.
  starting_ = true;
  connected(true);
  starting_ = false;
  if (!conn_ && last_code_ == PL_FAILED_PRECONDITION)
    throw PgError(last_code_, std::string(kPrefix) + last_error_);
}

PostgresHistory::~PostgresHistory() {
  if (buffer_.empty()) return;
  if (!deliver(true) && options_.warn) {
    options_.warn("postgres metrics sink: " + std::to_string(buffer_.size()) +
                  " step record(s) were never delivered (" + last_error_ + ")");
  }
}

PostgresHistory::Row PostgresHistory::to_row(const json::object& record) const {
  Row row;
  std::size_t i = 0;
  for (const auto& c : kColumns) {
    const json::value* v = record.if_contains(c.name);
    const bool absent = v == nullptr || v->is_null();
    auto wrong = [&](const char* expected) {
      throw PgError(PL_INVALID_ARGUMENT, std::string("postgres metrics sink: record member '") +
                                             c.name + "' must be " + expected);
    };
    PgParam& out = row[i++];
    switch (c.kind) {
      case Kind::kText: {
        if (absent) {
          out = std::string();
          break;
        }
        if (!v->is_string()) wrong("a string");
        const json::string& s = v->get_string();
        // PostgreSQL's text cannot hold NUL; one such row would stall every batch after it.
        if (std::string_view(s).find('\0') != std::string_view::npos)
          wrong("a string without NUL characters");
        out = std::string(s);
        break;
      }
      case Kind::kReal:
      case Kind::kOptionalReal: {
        if (absent) {
          if (c.kind == Kind::kReal) out = std::string("0");
          break;  // NULL: no score
        }
        double d = 0;
        if (!number_of(*v, d)) wrong("a number");
        out = real_text(d);
        break;
      }
      case Kind::kInt: {
        double d = 0;
        if (absent) {
          out = std::string("0");
        } else if (v->is_int64()) {
          out = std::to_string(v->get_int64());
        } else if (v->is_uint64()) {
          out = std::to_string(static_cast<std::int64_t>(v->get_uint64()));
        } else if (number_of(*v, d)) {
          out = std::to_string(static_cast<std::int64_t>(d));
        } else {
          wrong("an integer");
        }
        break;
      }
      case Kind::kBool: {
        if (absent) {
          // A record says success unless it says otherwise (StepRecord's default).
          out = std::string(std::string_view(c.name) == "success" ? "true" : "false");
        } else if (v->is_bool()) {
          out = std::string(v->get_bool() ? "true" : "false");
        } else {
          wrong("a boolean");
        }
        break;
      }
    }
  }
  if (row[0]->empty() || row[1]->empty())
    throw PgError(PL_INVALID_ARGUMENT,
                  "postgres metrics sink: a record needs 'workflow' and 'step'");
  return row;
}

void PostgresHistory::lost(const PgError& e) {
  conn_.reset();
  last_error_ = reason_of(e);
  last_code_ = e.code();
  retry_.failed(Clock::now());
  // A refusal while starting is the creation's error, which the host reports itself.
  if (!down_logged_ && options_.warn && !(starting_ && last_code_ == PL_FAILED_PRECONDITION)) {
    down_logged_ = true;
    options_.warn(
        std::string(kPrefix) + last_error_ + "; step records wait in memory (buffer_records: " +
        std::to_string(options_.buffer_records) + ") and the connection is retried with backoff");
  }
}

bool PostgresHistory::connected(bool force) {
  if (conn_ && conn_->usable()) return true;
  conn_.reset();
  if (!force && !retry_.due(Clock::now())) return false;
  try {
    auto c = std::make_unique<PgConnection>(
        options_.connection, milliseconds(options_.connect_timeout_ms), options_.secrets);
    ensure_schema(*c, schema_, milliseconds(options_.statement_timeout_ms));
    conn_ = std::move(c);
  } catch (const PgError& e) {
    lost(e);
    return false;
  }
  retry_.succeeded();
  if (down_logged_ && options_.warn) {
    options_.warn("postgres metrics sink: connected again; delivering " +
                  std::to_string(buffer_.size()) + " buffered step record(s)");
  }
  down_logged_ = false;
  last_error_.clear();
  last_code_ = PL_OK;
  apply_retention();
  return conn_ != nullptr;
}

void PostgresHistory::apply_retention() {
  since_retention_ = 0;
  if (options_.retention_days <= 0 || !conn_) return;
  try {
    conn_->exec("DELETE FROM " + schema_ + ".step_records WHERE unix_ms < $1",
                {std::to_string(now_ms() - options_.retention_days * 86400000LL)},
                milliseconds(options_.statement_timeout_ms));
  } catch (const PgError& e) {
    lost(e);
  }
}

bool PostgresHistory::deliver(bool force) {
  if (buffer_.empty()) return true;
  if (!connected(force)) return false;
  const auto timeout = milliseconds(options_.statement_timeout_ms);
  while (!buffer_.empty()) {
    const std::size_t n = std::min(buffer_.size(), static_cast<std::size_t>(options_.batch_size));
    std::vector<PgParam> params;
    params.reserve(n * kColumnCount);
    for (std::size_t r = 0; r < n; ++r)
      for (const auto& p : buffer_[r]) params.push_back(p);
    try {
      // One statement per batch: atomic, and one round trip.
      conn_->exec(n == static_cast<std::size_t>(options_.batch_size) ? insert_full_
                                                                     : insert_sql(schema_, n),
                  params, timeout);
    } catch (const PgError& e) {
      // Classes 22 (data exception) and 23 (integrity): this batch, not the server or schema.
      const bool bad_data = e.sqlstate().rfind("22", 0) == 0 || e.sqlstate().rfind("23", 0) == 0;
      if (bad_data && conn_->usable()) {
        // The server refused the data itself: retrying would stall every later record behind
        // this batch. It is dropped, counted and reported.
        rejected_ = e.what();
        dropped_ += n;
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
        continue;
      }
      lost(e);
      return false;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
    since_retention_ += static_cast<std::int64_t>(n);
  }
  if (since_retention_ >= options_.retention_every) apply_retention();
  return true;
}

std::string PostgresHistory::waiting_message() const {
  std::string m = "postgres metrics sink: " + std::to_string(buffer_.size()) +
                  " step record(s) wait for the database";
  if (dropped_ > 0) {
    m += " (" + std::to_string(dropped_) +
         " dropped so far, buffer_records: " + std::to_string(options_.buffer_records) + ")";
  }
  m += "; next attempt in " + std::to_string(retry_.wait(Clock::now()).count()) + " ms";
  if (!last_error_.empty()) m += "; " + last_error_;
  return m;
}

void PostgresHistory::record(const json::object& record) {
  Row row = to_row(record);
  const auto cap = static_cast<std::size_t>(options_.buffer_records);
  if (buffer_.size() >= cap) deliver();  // room, if the database is back
  bool dropped_now = false;
  if (buffer_.size() >= cap) {
    // The oldest goes: the router weighs recent executions, and a long outage keeps its end.
    buffer_.pop_front();
    ++dropped_;
    dropped_now = true;
  }
  buffer_.push_back(std::move(row));
  if (buffer_.size() >= static_cast<std::size_t>(options_.batch_size)) deliver();
  if (dropped_now) {
    throw PgError(PL_RESOURCE_EXHAUSTED,
                  "postgres metrics sink: the buffer is full (buffer_records: " +
                      std::to_string(options_.buffer_records) +
                      ") while the database is away: dropped the oldest step record, " +
                      std::to_string(dropped_) + " dropped so far" +
                      (last_error_.empty() ? std::string() : "; " + last_error_));
  }
}

void PostgresHistory::flush() {
  deliver();
  if (!rejected_.empty()) {
    std::string m = std::move(rejected_);
    rejected_.clear();
    throw PgError(PL_INVALID_ARGUMENT, m + " (the batch was dropped, " + std::to_string(dropped_) +
                                           " record(s) so far)");
  }
  if (!buffer_.empty()) throw PgError(PL_UNAVAILABLE, waiting_message());
}

json::array PostgresHistory::query(const HistoryFilter& f) {
  if (!deliver() || !connected()) {
    throw PgError(PL_UNAVAILABLE, "postgres metrics sink: the history cannot be read: " +
                                      (last_error_.empty() ? waiting_message() : last_error_));
  }
  std::vector<PgParam> params;
  std::string where;
  auto add = [&](const char* column, const char* op, std::string value) {
    params.emplace_back(std::move(value));
    where += (where.empty() ? " WHERE " : " AND ") + std::string(column) + " " + op + " $" +
             std::to_string(params.size());
  };
  if (!f.workflow.empty()) add("workflow", "=", f.workflow);
  if (!f.step.empty()) add("step", "=", f.step);
  if (!f.variant.empty()) add("variant", "=", f.variant);
  if (!f.signature_hash.empty()) add("signature_hash", "=", f.signature_hash);
  if (!f.mode.empty()) add("mode", "=", f.mode);
  if (f.since_unix_ms > 0) add("unix_ms", ">=", std::to_string(f.since_unix_ms));
  std::string sql = "SELECT " + column_list() + ", id FROM " + schema_ + ".step_records" + where;
  if (f.limit > 0) {
    // The newest `limit`, handed back oldest first like every answer.
    params.emplace_back(std::to_string(f.limit));
    sql = "SELECT * FROM (" + sql + " ORDER BY unix_ms DESC, id DESC LIMIT $" +
          std::to_string(params.size()) + ") newest";
  }
  sql += " ORDER BY unix_ms, id";
  PgResult r;
  try {
    r = conn_->exec(sql, params, milliseconds(options_.statement_timeout_ms));
  } catch (const PgError& e) {
    if (!conn_->usable()) lost(e);
    throw;
  }
  json::array out;
  const int rows = PQntuples(r.get());
  out.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    json::object row(kColumnCount);  // capacity: no rehash while filling
    int col = 0;
    for (const auto& c : kColumns) {
      row[c.name] = column_value(r.get(), i, col, c);
      ++col;
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace pipeline::metrics_postgres
