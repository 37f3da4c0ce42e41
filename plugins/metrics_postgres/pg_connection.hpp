// One libpq connection (RAII over PGconn, results RAII over PGresult) whose every wait is
// bounded: the connection is made with PQconnectStartParams/PQconnectPoll and statements are sent
// with the asynchronous API and polled against a deadline, so a server that vanishes (or a
// network that swallows packets) costs at most the timeout, never a hung caller. Every message
// it produces has the password's forms redacted.
//
//   PgConnection c(params, std::chrono::milliseconds(2000), secrets);   // throws PgError
//   PgResult r = c.exec("SELECT $1::int", {"1"}, std::chrono::milliseconds(5000));
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pipeline::metrics_postgres {

// A libpq call failed. `code` is a PL_* status; `sqlstate` is the server's error code when the
// server answered (empty for a lost connection or a timeout).
class PgError : public std::runtime_error {
 public:
  PgError(int32_t code, const std::string& what, std::string sqlstate = {})
      : std::runtime_error(what), code_(code), sqlstate_(std::move(sqlstate)) {}
  int32_t code() const noexcept { return code_; }
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  int32_t code_;
  std::string sqlstate_;
};

struct PgResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultClear>;

// A statement parameter in text form; nullopt is SQL NULL.
using PgParam = std::optional<std::string>;

class PgConnection {
 public:
  // `params`: libpq keyword/value pairs (a "dbname" entry is expanded as a conninfo or URI).
  // `secrets`: the forms of the password to redact from every message.
  PgConnection(const std::vector<std::pair<std::string, std::string>>& params,
               std::chrono::milliseconds timeout, std::vector<std::string> secrets);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement (several, separated by ';', when `params` is empty) and returns its last
  // result, which is COMMAND_OK or TUPLES_OK; anything else throws PgError.
  PgResult exec(const std::string& sql, const std::vector<PgParam>& params,
                std::chrono::milliseconds timeout);
  PgResult exec(const std::string& sql, std::chrono::milliseconds timeout) {
    return exec(sql, {}, timeout);
  }
  // False once the connection broke (the server went away, a timeout): make a new one.
  bool usable() const;

 private:
  struct ConnFinish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  using Clock = std::chrono::steady_clock;

  // Waits until the socket is readable (and writable when `write`); false at the deadline.
  bool wait_socket(bool read, bool write, Clock::time_point deadline) const;
  [[noreturn]] void fail(const std::string& what, const std::string& detail,
                         std::string sqlstate = {});
  std::string redacted(std::string text) const;

  std::unique_ptr<PGconn, ConnFinish> conn_;
  std::vector<std::string> secrets_;
  bool broken_ = false;
};

}  // namespace pipeline::metrics_postgres
