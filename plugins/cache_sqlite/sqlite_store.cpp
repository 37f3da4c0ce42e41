#include "sqlite_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "checksum.hpp"

namespace pipeline::cache_sqlite {

namespace {

// Recency is refreshed at most this often per entry, so hot reads stay read-only transactions.
constexpr std::int64_t kTouchIntervalMs = 1000;

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t steady_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

bool is_corruption(int code) {
  return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

// Moves `path` to the first free name of <path>.corrupt, <path>.corrupt.1, <path>.corrupt.2, ...
// without ever replacing an earlier quarantined file. Returns the new name, empty on failure.
std::string quarantine_file(const std::string& path) {
  for (int n = 0; n < 1000; ++n) {
    std::string aside = path + ".corrupt" + (n == 0 ? std::string() : "." + std::to_string(n));
    if (::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, aside.c_str(), RENAME_NOREPLACE) == 0) {
      return aside;
    }
    if (errno == EEXIST) continue;
    if (errno != EINVAL && errno != ENOSYS) return {};
    // A file system without RENAME_NOREPLACE: a hard link fails on an existing name too.
    if (::link(path.c_str(), aside.c_str()) == 0) {
      ::unlink(path.c_str());
      return aside;
    }
    if (errno != EEXIST) return {};
  }
  return {};
}

}  // namespace

SqliteStore::SqliteStore(Options options, Log log)
    : options_(std::move(options)), log_(std::move(log)) {
  if (options_.path.empty())
    throw sdk::Error(PL_INVALID_ARGUMENT, "sqlite cache: 'path' is required");
  options_.pool_size = std::max<std::size_t>(1, options_.pool_size);
  // A file that cannot be opened now does not fail creation: the level starts degraded and
  // recovers when the file becomes usable, like any other fault.
  // The identity is taken before the open: a file found corrupt is only set aside while it is
  // still the one that was found corrupt (another process may have replaced it already).
  remember_file_identity();
  try {
    auto c = std::make_unique<SqliteConnection>(options_.path, options_.busy_timeout_ms);
    // A stale WAL can make a file whose own header is garbage open fine; it is corrupt all the
    // same.
    if (!c->header_is_sqlite()) {
      throw SqliteFailure(SQLITE_NOTADB, "the database file's header is not SQLite's");
    }
    approx_bytes_ = c->total_bytes();
    remember_file_identity();
    give_back(std::move(c), generation_);
  } catch (const SqliteFailure& e) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    report_fault(is_corruption(e.code())   ? Fault::kCorrupt
                 : e.code() == SQLITE_BUSY ? Fault::kBusy
                                           : Fault::kIo,
                 std::string("open: ") + e.what());
  }
  // A corrupt file is set aside now, not at the first call: a run that never reaches the cache
  // must not leave it for every later run to trip over.
  quarantine_if_corrupt();
}

SqliteStore::~SqliteStore() {
  // Corruption found by this process's last calls is dealt with before it goes.
  quarantine_if_corrupt();
}

void SqliteStore::quarantine_if_corrupt() {
  {
    std::lock_guard lock(state_mutex_);
    if (!degraded_.load() || fault_ != Fault::kCorrupt) return;
  }
  try {
    std::unique_lock gate(gate_);
    if (degraded_.load()) recover_locked();
  } catch (const sdk::Error&) {
    // still degraded; the reason is logged and shown by health()
  }
}

bool SqliteStore::file_is_the_one_found_corrupt() {
  struct stat st {};
  if (::stat(options_.path.c_str(), &st) != 0) return false;  // gone: nothing to set aside
  std::lock_guard lock(state_mutex_);
  return !have_identity_ || (st.st_dev == file_dev_ && st.st_ino == file_ino_);
}

void SqliteStore::remember_file_identity() {
  struct stat st {};
  std::lock_guard lock(state_mutex_);
  have_identity_ = ::stat(options_.path.c_str(), &st) == 0;
  file_dev_ = st.st_dev;
  file_ino_ = st.st_ino;
}

void SqliteStore::give_back(std::unique_ptr<SqliteConnection> c, std::uint64_t generation) {
  std::lock_guard lock(pool_mutex_);
  if (generation == generation_ && idle_.size() < options_.pool_size) idle_.push_back(std::move(c));
  // else: closed here, a connection to a file that was replaced or one too many for the pool
}

std::unique_ptr<SqliteConnection> SqliteStore::take_connection() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return std::make_unique<SqliteConnection>(options_.path, options_.busy_timeout_ms);
}

void SqliteStore::throw_unavailable() {
  std::string reason;
  {
    std::lock_guard lock(state_mutex_);
    reason = reason_;
  }
  throw sdk::Error(PL_UNAVAILABLE, "sqlite cache '" + options_.path + "' unavailable: " + reason);
}

void SqliteStore::report_fault(Fault fault, const std::string& reason) {
  bool first = false;
  {
    std::lock_guard lock(state_mutex_);
    auto rank = [](Fault f) {
      switch (f) {
        case Fault::kCorrupt:
          return 4;
        case Fault::kMissing:
          return 3;
        case Fault::kIo:
          return 2;
        case Fault::kBusy:
          return 1;
        case Fault::kNone:
          return 0;
      }
      return 0;
    };
    // The worst fault decides the recovery: a corrupt file must be recreated even if a later call
    // only saw it locked.
    if (!degraded_.load() || rank(fault) >= rank(fault_)) {
      fault_ = fault;
      reason_ = reason;
    }
    const bool recreate = fault_ == Fault::kCorrupt || fault_ == Fault::kMissing;
    retry_at_ =
        SteadyClock::now() + (recreate ? std::chrono::milliseconds(0)
                                       : std::chrono::milliseconds(options_.retry_interval_ms));
    degraded_.store(true);
    first = !warned_.exchange(true);
  }
  if (first && log_) {
    log_(PL_LOG_WARN, "sqlite cache '" + options_.path + "' unavailable (" + reason +
                          "); serving misses until it recovers");
  }
}

void SqliteStore::probe_file_if_due() {
  const std::int64_t now = steady_ns();
  if (options_.check_interval_ms > 0 && now < next_probe_ns_.load(std::memory_order_relaxed)) {
    return;
  }
  next_probe_ns_.store(now + options_.check_interval_ms * 1'000'000, std::memory_order_relaxed);
  if (degraded_.load()) return;  // recovery looks at the file itself
  struct stat st {};
  if (::stat(options_.path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      report_fault(Fault::kMissing, "the database file was deleted");
    } else {
      report_fault(Fault::kIo, std::string("stat: ") + std::strerror(errno));
    }
    return;
  }
  bool replaced = false;
  {
    std::lock_guard lock(state_mutex_);
    replaced = have_identity_ && (st.st_dev != file_dev_ || st.st_ino != file_ino_);
  }
  if (replaced) {
    // Our connections still point at the old inode; reopening picks up the file now at the path.
    report_fault(Fault::kMissing, "the database file was replaced");
    return;
  }
  if (st.st_size >= 16 && !header_is_sqlite()) {
    report_fault(Fault::kCorrupt, "the database file is not an SQLite database (bad header)");
  }
}

bool SqliteStore::header_is_sqlite() {
  std::shared_lock gate(gate_);
  std::uint64_t generation;
  {
    std::lock_guard lock(pool_mutex_);
    generation = generation_;
  }
  try {
    auto c = take_connection();
    const bool ok = c->header_is_sqlite();
    give_back(std::move(c), generation);
    return ok;
  } catch (const SqliteFailure& e) {
    // Opening a connection already read the header; anything but corruption is for the call
    // that follows to report.
    return !is_corruption(e.code());
  }
}

void SqliteStore::fail_fast_if_degraded() {
  if (!degraded_.load()) return;
  if (!retry_due()) throw_unavailable();
  std::unique_lock gate(gate_);
  if (!degraded_.load()) return;  // another thread recovered while we waited
  recover_locked();
}

bool SqliteStore::retry_due() {
  std::lock_guard lock(state_mutex_);
  return SteadyClock::now() >= retry_at_;
}

void SqliteStore::recover_locked() {
  if (!retry_due()) throw_unavailable();
  Fault fault;
  {
    std::lock_guard lock(state_mutex_);
    fault = fault_;
  }
  {
    // gate_ is held exclusively: every connection is idle in the pool, and closing them now
    // means none touches "<path>-wal" after the new file exists.
    std::lock_guard lock(pool_mutex_);
    idle_.clear();
    ++generation_;
  }
  std::string aside;
  if (fault == Fault::kCorrupt && file_is_the_one_found_corrupt()) {
    aside = quarantine_file(options_.path);
    if (!aside.empty()) quarantined_.fetch_add(1, std::memory_order_relaxed);
  }
  // Only who set the file aside (or found it deleted) removes what it left: another process
  // that lost the race may already have created the new file and its WAL.
  if (!aside.empty() || fault == Fault::kMissing) {
    struct stat st {};
    if (::stat(options_.path.c_str(), &st) != 0) {
      // Left-over WAL and shared-memory files of the old database must not be replayed into the
      // new one.
      ::unlink((options_.path + "-wal").c_str());
      ::unlink((options_.path + "-shm").c_str());
    }
  }
  try {
    auto c = std::make_unique<SqliteConnection>(options_.path, options_.busy_timeout_ms);
    approx_bytes_ = c->total_bytes();
    remember_file_identity();
    std::uint64_t generation;
    {
      std::lock_guard lock(pool_mutex_);
      generation = generation_;
    }
    give_back(std::move(c), generation);
  } catch (const SqliteFailure& e) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(state_mutex_);
      if (is_corruption(e.code())) fault_ = Fault::kCorrupt;
      reason_ = std::string("recovery failed: ") + e.what();
      retry_at_ = SteadyClock::now() + std::chrono::milliseconds(options_.retry_interval_ms);
    }
    throw_unavailable();
  }
  bool recreated = false;
  {
    std::lock_guard lock(state_mutex_);
    recreated = fault_ == Fault::kCorrupt || fault_ == Fault::kMissing;
    fault_ = Fault::kNone;
    reason_.clear();
    degraded_.store(false);
    recoveries_.fetch_add(1, std::memory_order_relaxed);
    // A lock or I/O fault is only known to be over once a write succeeds (note_write_success);
    // a recreated file is fresh now.
    if (recreated) warned_.store(false);
  }
  if (recreated && log_) {
    log_(PL_LOG_INFO, "sqlite cache '" + options_.path + "' recreated and usable again" +
                          (aside.empty() ? "" : " (the corrupt file is kept as '" + aside + "')"));
  }
}

void SqliteStore::note_write_success() {
  if (!warned_.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard lock(state_mutex_);
    if (degraded_.load() || !warned_.exchange(false)) return;
  }
  if (log_) log_(PL_LOG_INFO, "sqlite cache '" + options_.path + "' usable again");
}

template <class F>
auto SqliteStore::with_connection(const char* op, F&& f) {
  probe_file_if_due();
  fail_fast_if_degraded();
  std::shared_lock gate(gate_);
  std::uint64_t generation;
  {
    std::lock_guard lock(pool_mutex_);
    generation = generation_;
  }
  Fault fault = Fault::kNone;
  std::string reason;
  try {
    auto c = take_connection();
    if constexpr (std::is_void_v<decltype(f(*c))>) {
      f(*c);
      give_back(std::move(c), generation);
      return;
    } else {
      auto result = f(*c);
      give_back(std::move(c), generation);
      return result;
    }
  } catch (const SqliteFailure& e) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    fault = is_corruption(e.code())                                  ? Fault::kCorrupt
            : (e.code() == SQLITE_BUSY || e.code() == SQLITE_LOCKED) ? Fault::kBusy
                                                                     : Fault::kIo;
    reason = std::string(op) + ": " + e.what();
  }
  gate.unlock();
  report_fault(fault, reason);
  throw_unavailable();
}

std::optional<std::string> SqliteStore::get(std::string_view key) {
  return with_connection("get", [&](SqliteConnection& c) -> std::optional<std::string> {
    auto row = c.get(key);
    if (!row) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    const std::int64_t now = wall_ms();
    const bool expired = row->expires_at_ms > 0 && row->expires_at_ms <= now;
    const bool corrupt = !expired && entry_checksum(key, row->value) != row->checksum;
    if (expired || corrupt) {
      (expired ? expirations_ : corrupt_entries_).fetch_add(1, std::memory_order_relaxed);
      misses_.fetch_add(1, std::memory_order_relaxed);
      try {
        std::lock_guard lock(write_mutex_);
        if (corrupt) {
          c.drop_corrupt(key);
        } else {
          c.erase(key);
        }
      } catch (const SqliteFailure& e) {
        if (e.code() != SQLITE_BUSY) throw;  // dropping it later is fine; a broken file is not
      }
      if (corrupt && log_) {
        log_(PL_LOG_WARN, "sqlite cache '" + options_.path +
                              "': dropped an entry whose checksum does not match (counted in "
                              "corrupt_entries_dropped)");
      }
      return std::nullopt;
    }
    if (now - row->accessed_at_ms > kTouchIntervalMs) {
      try {
        std::lock_guard lock(write_mutex_);
        c.touch(key, now);
      } catch (const SqliteFailure& e) {
        if (e.code() != SQLITE_BUSY) throw;  // recency is a hint; a lock must not cost the hit
      }
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    return std::move(row->value);
  });
}

void SqliteStore::put(std::string_view key, std::string_view value, std::int64_t ttl_ms) {
  if (ttl_ms <= 0) ttl_ms = options_.default_ttl_ms;
  const auto size = static_cast<std::int64_t>(key.size() + value.size());
  if (size > options_.max_bytes) return;  // could never stay; caching it would evict everything
  const std::int64_t now = wall_ms();
  const std::int64_t sum = entry_checksum(key, value);
  with_connection("put", [&](SqliteConnection& c) {
    {
      std::lock_guard lock(write_mutex_);
      c.put(key, value, sum, ttl_ms > 0 ? now + ttl_ms : 0, now);
    }
    puts_.fetch_add(1, std::memory_order_relaxed);
    approx_bytes_.fetch_add(size, std::memory_order_relaxed);
    maybe_evict(c);
  });
  note_write_success();
}

void SqliteStore::maybe_evict(SqliteConnection& c) {
  if (approx_bytes_.load(std::memory_order_relaxed) <= options_.max_bytes) return;
  std::unique_lock evicting(evict_mutex_, std::try_to_lock);
  if (!evicting.owns_lock()) return;  // another thread is already making room
  std::lock_guard lock(write_mutex_);
  expirations_.fetch_add(c.delete_expired(wall_ms()), std::memory_order_relaxed);
  std::int64_t total = c.total_bytes();
  // Evict down to 90% so the next few puts do not each pay for an eviction pass.
  const std::int64_t target = options_.max_bytes / 10 * 9;
  if (total > options_.max_bytes) {
    evictions_.fetch_add(c.evict_oldest(total - target), std::memory_order_relaxed);
    total = c.total_bytes();
  }
  approx_bytes_.store(total, std::memory_order_relaxed);
}

void SqliteStore::erase(std::string_view key) {
  with_connection("erase", [&](SqliteConnection& c) {
    std::lock_guard lock(write_mutex_);
    c.erase(key);
  });
  note_write_success();
}

void SqliteStore::erase_prefix(std::string_view prefix) {
  with_connection("erase_prefix", [&](SqliteConnection& c) {
    std::lock_guard lock(write_mutex_);
    c.erase_prefix(prefix);
  });
  note_write_success();
}

std::string SqliteStore::health() {
  probe_file_if_due();
  if (!degraded_.load()) return {};
  std::lock_guard lock(state_mutex_);
  return reason_;
}

std::string SqliteStore::stats_json() {
  boost::json::object o;
  o["backend"] = "sqlite";
  o["path"] = options_.path;
  const std::string down = health();
  o["state"] = down.empty() ? "ok" : "degraded";
  if (!down.empty()) o["reason"] = down;
  if (down.empty()) {
    try {
      with_connection("stats", [&](SqliteConnection& c) {
        o["entries"] = c.entry_count();
        o["corrupt_entries_dropped"] = c.corrupt_entries_dropped();
      });
    } catch (const sdk::Error&) {
      o["state"] = "degraded";
    }
  }
  auto n = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  o["bytes"] = approx_bytes_.load(std::memory_order_relaxed);
  o["max_bytes"] = options_.max_bytes;
  o["hits"] = n(hits_);
  o["misses"] = n(misses_);
  o["puts"] = n(puts_);
  o["evictions"] = n(evictions_);
  o["expirations"] = n(expirations_);
  o["corrupt_entries"] = n(corrupt_entries_);
  o["errors"] = n(errors_);
  o["recoveries"] = n(recoveries_);
  o["quarantined_files"] = n(quarantined_);
  return boost::json::serialize(o);
}

}  // namespace pipeline::cache_sqlite
