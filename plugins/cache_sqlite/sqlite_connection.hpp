// One SQLite connection to the cache file with its prepared statements, owned RAII-style.
// A connection is used by one thread at a time (the store's pool hands it out), so it is opened
// with SQLITE_OPEN_NOMUTEX.
//
//   SqliteConnection c(path, busy_timeout_ms);   // throws SqliteFailure
//   auto row = c.get(key);
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::cache_sqlite {

// An SQLite call failed; `code` is the primary result code (SQLITE_BUSY, SQLITE_CORRUPT, ...).
class SqliteFailure : public std::runtime_error {
 public:
  SqliteFailure(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

struct Row {
  std::string value;
  std::int64_t checksum = 0;
  std::int64_t expires_at_ms = 0;  // 0 = never
  std::int64_t accessed_at_ms = 0;
};

class SqliteConnection {
 public:
  SqliteConnection(const std::string& path, int busy_timeout_ms);
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  std::optional<Row> get(std::string_view key);
  void put(std::string_view key, std::string_view value, std::int64_t checksum,
           std::int64_t expires_at_ms, std::int64_t now_ms);
  void erase(std::string_view key);
  // Removes keys in [prefix, successor(prefix)); an empty prefix clears the table.
  void erase_prefix(std::string_view prefix);
  void touch(std::string_view key, std::int64_t now_ms);
  std::int64_t total_bytes();
  std::int64_t entry_count();
  std::int64_t delete_expired(std::int64_t now_ms);
  // Deletes least recently accessed entries until `bytes_to_free` were freed; returns the count.
  std::int64_t evict_oldest(std::int64_t bytes_to_free);
  // Drops a row whose checksum did not match and adds one to the file's persistent count of such
  // rows, in one transaction (so `pipeline cache stats` in another process sees it).
  void drop_corrupt(std::string_view key);
  std::int64_t corrupt_entries_dropped();
  // False when the file's first 16 bytes are not SQLite's magic. Read through this connection's
  // own file handle: opening and closing the file separately would drop every POSIX lock this
  // process holds on it, after which another process may checkpoint and delete our WAL.
  bool header_is_sqlite();

 private:
  struct DbClose {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct StmtFinalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

  void exec(const char* sql);
  Stmt prepare(const char* sql);
  [[noreturn]] void fail(int rc, const char* what);
  int step(sqlite3_stmt* s, const char* what);

  std::unique_ptr<sqlite3, DbClose> db_;
  Stmt get_, put_, erase_, erase_range_, erase_from_, touch_, count_corrupt_;
};

}  // namespace pipeline::cache_sqlite
