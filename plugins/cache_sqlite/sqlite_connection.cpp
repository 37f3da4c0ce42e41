#include "sqlite_connection.hpp"

#include <cstring>
#include <filesystem>

namespace pipeline::cache_sqlite {

namespace {

// Resets a statement when the scope ends, so the next use starts clean and read transactions end.
class Reset {
 public:
  explicit Reset(sqlite3_stmt* s) : s_(s) {}
  ~Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  sqlite3_stmt* s_;
};

void bind_blob(sqlite3_stmt* s, int i, std::string_view b) {
  // An empty view may have a null data pointer, which SQLite would store as NULL, not a blob.
  static const char empty = 0;
  sqlite3_bind_blob64(s, i, b.empty() ? &empty : b.data(), b.size(), SQLITE_STATIC);
}

// The smallest byte string greater than every string starting with `prefix`, or nullopt when
// there is none (the prefix is all 0xFF bytes).
std::optional<std::string> successor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

}  // namespace

SqliteConnection::SqliteConnection(const std::string& path, int busy_timeout_ms) {
  // A cache path in a folder that does not exist yet (a fresh ~/.cache) is normal, not an error.
  if (std::filesystem::path parent = std::filesystem::path(path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);  // sqlite3_open_v2 allocates a handle even when it fails
  if (rc != SQLITE_OK) fail(rc, "open");
  sqlite3_busy_timeout(db_.get(), busy_timeout_ms);
  exec("PRAGMA journal_mode=WAL");
  // Persistent WAL: closing the last connection never deletes "<path>-wal" or "<path>-shm" by
  // name. A connection still open on a file that another process quarantined or replaced would
  // otherwise delete the new file's WAL (and its unwritten entries) when it closes.
  int persist = 1;
  sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  // NORMAL is durable across application crashes in WAL mode; a power loss may drop the last
  // few writes, which a cache can afford.
  exec("PRAGMA synchronous=NORMAL");
  exec(
      "CREATE TABLE IF NOT EXISTS pipeline_cache ("
      " key BLOB NOT NULL UNIQUE, value BLOB NOT NULL, checksum INTEGER NOT NULL,"
      " expires_at INTEGER NOT NULL, accessed_at INTEGER NOT NULL, size INTEGER NOT NULL)");
  exec("CREATE INDEX IF NOT EXISTS pipeline_cache_accessed ON pipeline_cache(accessed_at)");
  // Counters that outlive a process (read by `pipeline cache stats`).
  exec(
      "CREATE TABLE IF NOT EXISTS pipeline_cache_meta ("
      " name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)");
  get_ =
      prepare("SELECT value, checksum, expires_at, accessed_at FROM pipeline_cache WHERE key = ?1");
  put_ = prepare(
      "INSERT INTO pipeline_cache(key, value, checksum, expires_at, accessed_at, size)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
      " checksum = excluded.checksum, expires_at = excluded.expires_at,"
      " accessed_at = excluded.accessed_at, size = excluded.size");
  erase_ = prepare("DELETE FROM pipeline_cache WHERE key = ?1");
  erase_range_ = prepare("DELETE FROM pipeline_cache WHERE key >= ?1 AND key < ?2");
  erase_from_ = prepare("DELETE FROM pipeline_cache WHERE key >= ?1");
  touch_ = prepare("UPDATE pipeline_cache SET accessed_at = ?2 WHERE key = ?1");
  count_corrupt_ = prepare(
      "INSERT INTO pipeline_cache_meta(name, value) VALUES('corrupt_entries_dropped', 1)"
      " ON CONFLICT(name) DO UPDATE SET value = value + 1");
}

void SqliteConnection::fail(int rc, const char* what) {
  std::string msg = std::string("sqlite ") + what + ": ";
  msg += db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
  throw SqliteFailure(rc & 0xFF, msg);
}

void SqliteConnection::exec(const char* sql) {
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, sql);
}

SqliteConnection::Stmt SqliteConnection::prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) fail(rc, "prepare");
  return Stmt(s);
}

int SqliteConnection::step(sqlite3_stmt* s, const char* what) {
  int rc = sqlite3_step(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(rc, what);
  return rc;
}

std::optional<Row> SqliteConnection::get(std::string_view key) {
  sqlite3_stmt* s = get_.get();
  Reset reset(s);
  bind_blob(s, 1, key);
  if (step(s, "get") != SQLITE_ROW) return std::nullopt;
  Row row;
  const void* data = sqlite3_column_blob(s, 0);
  int n = sqlite3_column_bytes(s, 0);
  if (data != nullptr && n > 0) row.value.assign(static_cast<const char*>(data), n);
  row.checksum = sqlite3_column_int64(s, 1);
  row.expires_at_ms = sqlite3_column_int64(s, 2);
  row.accessed_at_ms = sqlite3_column_int64(s, 3);
  return row;
}

void SqliteConnection::put(std::string_view key, std::string_view value, std::int64_t checksum,
                           std::int64_t expires_at_ms, std::int64_t now_ms) {
  sqlite3_stmt* s = put_.get();
  Reset reset(s);
  bind_blob(s, 1, key);
  bind_blob(s, 2, value);
  sqlite3_bind_int64(s, 3, checksum);
  sqlite3_bind_int64(s, 4, expires_at_ms);
  sqlite3_bind_int64(s, 5, now_ms);
  sqlite3_bind_int64(s, 6, static_cast<std::int64_t>(key.size() + value.size()));
  step(s, "put");
}

void SqliteConnection::erase(std::string_view key) {
  sqlite3_stmt* s = erase_.get();
  Reset reset(s);
  bind_blob(s, 1, key);
  step(s, "erase");
}

void SqliteConnection::erase_prefix(std::string_view prefix) {
  auto end = successor(prefix);
  sqlite3_stmt* s = end ? erase_range_.get() : erase_from_.get();
  Reset reset(s);
  bind_blob(s, 1, prefix);
  if (end) bind_blob(s, 2, *end);
  step(s, "erase_prefix");
}

void SqliteConnection::touch(std::string_view key, std::int64_t now_ms) {
  sqlite3_stmt* s = touch_.get();
  Reset reset(s);
  bind_blob(s, 1, key);
  sqlite3_bind_int64(s, 2, now_ms);
  step(s, "touch");
}

std::int64_t SqliteConnection::total_bytes() {
  Stmt s = prepare("SELECT COALESCE(SUM(size), 0) FROM pipeline_cache");
  step(s.get(), "total_bytes");
  return sqlite3_column_int64(s.get(), 0);
}

std::int64_t SqliteConnection::entry_count() {
  Stmt s = prepare("SELECT COUNT(*) FROM pipeline_cache");
  step(s.get(), "entry_count");
  return sqlite3_column_int64(s.get(), 0);
}

std::int64_t SqliteConnection::delete_expired(std::int64_t now_ms) {
  Stmt s = prepare("DELETE FROM pipeline_cache WHERE expires_at > 0 AND expires_at <= ?1");
  sqlite3_bind_int64(s.get(), 1, now_ms);
  step(s.get(), "delete_expired");
  return sqlite3_changes(db_.get());
}

std::int64_t SqliteConnection::evict_oldest(std::int64_t bytes_to_free) {
  // One statement: the running sum picks the oldest rows whose sizes add up to what must go.
  Stmt s = prepare(
      "DELETE FROM pipeline_cache WHERE rowid IN (SELECT rowid FROM (SELECT rowid,"
      " SUM(size) OVER (ORDER BY accessed_at, rowid) - size AS before FROM pipeline_cache)"
      " WHERE before < ?1)");
  sqlite3_bind_int64(s.get(), 1, bytes_to_free);
  step(s.get(), "evict");
  return sqlite3_changes(db_.get());
}

void SqliteConnection::drop_corrupt(std::string_view key) {
  exec("BEGIN IMMEDIATE");
  try {
    erase(key);
    Reset reset(count_corrupt_.get());
    step(count_corrupt_.get(), "count corrupt entry");
    exec("COMMIT");
  } catch (const SqliteFailure&) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::int64_t SqliteConnection::corrupt_entries_dropped() {
  Stmt s = prepare("SELECT value FROM pipeline_cache_meta WHERE name = 'corrupt_entries_dropped'");
  if (step(s.get(), "corrupt_entries_dropped") != SQLITE_ROW) return 0;
  return sqlite3_column_int64(s.get(), 0);
}

bool SqliteConnection::header_is_sqlite() {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr) {
    return true;  // nothing to read through; the next statement reports what is wrong
  }
  static constexpr char kMagic[16] = "SQLite format 3";  // 15 characters and the NUL
  char header[16] = {};
  const int rc = file->pMethods->xRead(file, header, sizeof header, 0);
  // A short read is a file still being created (or truncated); its statements will tell.
  if (rc != SQLITE_OK) return true;
  return std::memcmp(header, kMagic, sizeof header) == 0;
}

}  // namespace pipeline::cache_sqlite
