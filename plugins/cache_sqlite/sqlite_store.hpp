// The SQLite cache file: a pool of connections, bounded size with eviction, per-entry checksums,
// and the health state machine that turns a broken file into misses instead of failures.
//
// Health: a corrupt file (bad header, SQLITE_CORRUPT/NOTADB) is renamed to <path>.corrupt (or
// <path>.corrupt.1, .2, ... never replacing an earlier one) and recreated, as soon as it is found;
// a deleted or replaced file is recreated; a locked file (SQLITE_BUSY after the busy timeout) or an
// I/O error makes every call fail fast with PL_UNAVAILABLE until retry_interval_ms has passed. Each
// transition to "degraded" logs one warning, each recovery one info line.
//
//   SqliteStore store(options, [&](int level, std::string_view m) { host.log(level, m); });
//   store.put("k", "v", 0);
//   std::optional<std::string> v = store.get("k");   // throws sdk::Error(PL_UNAVAILABLE) if down
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sqlite_connection.hpp"

namespace pipeline::cache_sqlite {

class SqliteStore {
 public:
  struct Options {
    std::string path;
    std::int64_t max_bytes = 256ll << 20;
    int busy_timeout_ms = 500;
    std::size_t pool_size = 4;
    std::int64_t default_ttl_ms = 0;
    std::int64_t check_interval_ms = 250;   // how often the file's identity and header are probed
    std::int64_t retry_interval_ms = 1000;  // how long a degraded store fails fast
  };
  using Log = std::function<void(int level, std::string_view message)>;

  SqliteStore(Options options, Log log);
  ~SqliteStore();
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  std::optional<std::string> get(std::string_view key);
  void put(std::string_view key, std::string_view value, std::int64_t ttl_ms);
  void erase(std::string_view key);
  void erase_prefix(std::string_view prefix);
  std::string stats_json();
  // Empty when usable, else why not.
  std::string health();

 private:
  using SteadyClock = std::chrono::steady_clock;
  enum class Fault { kNone, kBusy, kCorrupt, kMissing, kIo };

  template <class F>
  auto with_connection(const char* op, F&& f);
  std::unique_ptr<SqliteConnection> take_connection();
  void give_back(std::unique_ptr<SqliteConnection> c, std::uint64_t generation);
  void probe_file_if_due();
  void fail_fast_if_degraded();
  void recover_locked();  // requires gate_ held exclusively
  void report_fault(Fault fault, const std::string& reason);
  void note_write_success();
  bool retry_due();
  void remember_file_identity();
  bool file_is_the_one_found_corrupt();
  bool header_is_sqlite();
  void quarantine_if_corrupt();
  void maybe_evict(SqliteConnection& c);
  [[noreturn]] void throw_unavailable();

  Options options_;
  Log log_;

  // Held shared by every call and exclusively while the file is recreated, so no connection to
  // the old file is alive when the new one is created (SQLite unlinks "<path>-wal" by name when
  // its last connection closes, which would otherwise hit the new file's WAL).
  std::shared_mutex gate_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
  std::uint64_t generation_ = 0;  // bumped when the file is reopened; older connections are closed
  // Writers are serialized in-process so SQLite's busy handler (which sleeps) only ever waits for
  // other processes.
  std::mutex write_mutex_;
  std::mutex evict_mutex_;

  std::mutex state_mutex_;
  std::atomic<bool> degraded_{false};
  Fault fault_ = Fault::kNone;
  std::string reason_;
  SteadyClock::time_point retry_at_{};
  std::atomic<std::int64_t> next_probe_ns_{0};
  std::uint64_t file_dev_ = 0, file_ino_ = 0;
  bool have_identity_ = false;
  std::atomic<bool> warned_{false};  // one warning per outage, cleared when it is over

  std::atomic<std::int64_t> approx_bytes_{0};
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, puts_{0}, evictions_{0}, expirations_{0},
      corrupt_entries_{0}, errors_{0}, recoveries_{0}, quarantined_{0};
};

}  // namespace pipeline::cache_sqlite
