#include "pg_connection.hpp"

#include <pipeline/plugin.h>
#include <pipeline/sdk/secret.hpp>

#include <poll.h>

#include <cerrno>

namespace pipeline::metrics_postgres {

namespace {

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running...");
// a log line and the exit summary want one.
std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\t' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

PgConnection::PgConnection(const std::vector<std::pair<std::string, std::string>>& params,
                           std::chrono::milliseconds timeout, std::vector<std::string> secrets)
    : secrets_(std::move(secrets)) {
  const auto deadline = Clock::now() + timeout;
  std::vector<const char*> keys, values;
  bool expand = false;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
    expand = expand || k == "dbname";
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_.reset(PQconnectStartParams(keys.data(), values.data(), expand ? 1 : 0));
  if (!conn_) throw PgError(PL_RESOURCE_EXHAUSTED, "postgres metrics sink: out of memory");
  if (PQstatus(conn_.get()) == CONNECTION_BAD) fail("cannot connect", PQerrorMessage(conn_.get()));
  // PQconnectPoll's protocol: wait for what it asks for, then call it again.
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  for (;;) {
    if (st == PGRES_POLLING_OK) break;
    if (st == PGRES_POLLING_FAILED) fail("cannot connect", PQerrorMessage(conn_.get()));
    if (!wait_socket(st == PGRES_POLLING_READING, st == PGRES_POLLING_WRITING, deadline)) {
      fail("cannot connect", "no answer within " + std::to_string(timeout.count()) + " ms");
    }
    st = PQconnectPoll(conn_.get());
  }
  if (PQsetnonblocking(conn_.get(), 1) != 0) fail("cannot connect", PQerrorMessage(conn_.get()));
  // The server's NOTICEs ("already exists, skipping") are for people at a psql prompt; libpq
  // would print them on the host's stderr.
  PQsetNoticeProcessor(
      conn_.get(), [](void*, const char*) {}, nullptr);
}

bool PgConnection::usable() const {
  return !broken_ && conn_ && PQstatus(conn_.get()) == CONNECTION_OK;
}

std::string PgConnection::redacted(std::string text) const {
  return sdk::redact_secret_forms(one_line(text), secrets_);
}

void PgConnection::fail(const std::string& what, const std::string& detail, std::string sqlstate) {
  const bool server_said = !sqlstate.empty();
  // A server that answered keeps the session; anything else leaves it in an unknown state.
  if (!server_said) broken_ = true;
  int32_t code = PL_UNAVAILABLE;
  if (sqlstate.rfind("42", 0) == 0 || sqlstate.rfind("22", 0) == 0 ||
      sqlstate.rfind("23", 0) == 0) {
    code = PL_INVALID_ARGUMENT;  // the statement or its data, not the server's availability
  } else if (sqlstate.rfind("28", 0) == 0) {
    code = PL_PERMISSION_DENIED;
  }
  throw PgError(code, "postgres metrics sink: " + what + ": " + redacted(detail),
                std::move(sqlstate));
}

bool PgConnection::wait_socket(bool read, bool write, Clock::time_point deadline) const {
  const int fd = PQsocket(conn_.get());
  if (fd < 0) return false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0)), 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

PgResult PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params,
                            std::chrono::milliseconds timeout) {
  if (!usable()) fail("query", "the connection is closed");
  const auto deadline = Clock::now() + timeout;
  PGconn* c = conn_.get();
  int sent = 0;
  if (params.empty()) {
    sent = PQsendQuery(c, sql.c_str());
  } else {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    sent = PQsendQueryParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  }
  if (sent != 1) fail("send", PQerrorMessage(c));
  auto timed_out = [&] {
    // The session is given up. No PQcancel: it waits, without a bound, for an answer from the
    // very server that is not answering.
    fail("query", "no answer within " + std::to_string(timeout.count()) + " ms");
  };
  // Non-blocking: the statement may not have left in one write.
  for (;;) {
    const int f = PQflush(c);
    if (f == 0) break;
    if (f < 0) fail("send", PQerrorMessage(c));
    if (!wait_socket(true, true, deadline)) timed_out();
    if (PQconsumeInput(c) == 0) fail("send", PQerrorMessage(c));
  }
  PgResult last;
  for (;;) {
    while (PQisBusy(c)) {
      if (!wait_socket(true, false, deadline)) timed_out();
      if (PQconsumeInput(c) == 0) fail("receive", PQerrorMessage(c));
    }
    PgResult r(PQgetResult(c));
    if (!r) break;
    last = std::move(r);
  }
  if (!last) fail("query", PQerrorMessage(c));
  const ExecStatusType st = PQresultStatus(last.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    const char* state = PQresultErrorField(last.get(), PG_DIAG_SQLSTATE);
    fail("query", PQresultErrorMessage(last.get()), state != nullptr ? state : "");
  }
  return last;
}

}  // namespace pipeline::metrics_postgres
