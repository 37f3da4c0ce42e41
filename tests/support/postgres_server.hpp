// A real PostgreSQL server for one test: a fresh cluster (initdb) in a temporary folder, the
// server run directly as a child on a free loopback port with its unix socket inside that folder,
// stopped (or killed like a crash, or restarted on the same port and data) on demand, always
// stopped and removed at destruction. initdb and postgres refuse to run as root: as root they run
// as the `postgres` system user that Debian's package creates (the folder is chowned to it).
//
//   if (!PostgresServer::available()) GTEST_SKIP() << PostgresServer::kSkipMessage;
//   PostgresServer pg;  ASSERT_TRUE(pg.start()) << pg.error();
//   pg.dsn();  pg.kill();  pg.start();
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::testing {

class PostgresServer {
 public:
  static constexpr const char* kSkipMessage =
      "PostgreSQL's server binaries (initdb, postgres) are not installed, or this runs as root "
      "without a 'postgres' user (apt-get install postgresql); PostgreSQL tests skipped";
  // The cluster's superuser (initdb -U), whoever runs the server.
  static constexpr const char* kUser = "pipeline";

  // The folder holding initdb and postgres: the newest /usr/lib/postgresql/*/bin (Debian does not
  // put them on PATH), else PATH's; empty when there is none.
  static std::filesystem::path bin_dir();
  // True when the binaries exist and, as root, the `postgres` user does too.
  static bool available();

  // `password` empty: trust authentication. Otherwise TCP connections need that password
  // (scram-sha-256, set through initdb --pwfile).
  explicit PostgresServer(std::string password = {});
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Creates the cluster on the first call, then starts the server (on the same port as before,
  // if it ran already) and waits until it accepts connections. False (see error()) when it did
  // not come up within a few seconds.
  bool start();
  // SIGKILL to the server and every backend, as a crash would: no goodbye to clients.
  void kill();
  // SIGSTOP to the server and every backend: a server that hangs (or a network that swallows
  // packets) with its connections open. thaw() lets it go on.
  void freeze();
  void thaw();
  // A fast shutdown (SIGINT), waited for.
  void stop();
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // "host=127.0.0.1 port=P user=pipeline dbname=postgres": a libpq conninfo without a password.
  std::string dsn() const;
  // Why start() failed: the step and the tail of the server's (or initdb's) log.
  const std::string& error() const { return error_; }

 private:
  bool init_cluster();
  bool ready() const;
  pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& log);
  std::string log_tail(const std::filesystem::path& log) const;

  std::string password_;
  std::filesystem::path dir_;  // the temporary folder: data/, the socket, the logs
  pid_t pid_ = -1;
  int port_ = 0;
  bool initialized_ = false;
  bool started_once_ = false;
  std::vector<pid_t> frozen_;
  std::string error_;
};

}  // namespace pipeline::testing
