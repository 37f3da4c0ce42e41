#include "jsonl_log.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pipeline/plugin.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

namespace pipeline::metrics_jsonl {

namespace fs = std::filesystem;

namespace {

constexpr const char* kWho = "jsonl metrics sink";
// How far back from the end a partial last line is looked for; a "line" longer than this is not
// one of ours and is terminated rather than cut.
constexpr off_t kRepairScan = 1 << 20;

template <class F>
auto retry_eintr(F&& f) {
  decltype(f()) r;
  do {
    r = f();
  } while (r < 0 && errno == EINTR);
  return r;
}

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int32_t status_of(int err) {
  switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
      return PL_PERMISSION_DENIED;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return PL_RESOURCE_EXHAUSTED;
    default:
      return PL_UNAVAILABLE;
  }
}

}  // namespace

// Holds the exclusive flock of one descriptor; the lock goes with the descriptor's close too, so
// a killed writer never leaves the file locked.
class JsonlLog::Lock {
 public:
  Lock() = default;
  ~Lock() { release(); }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  void hold(int fd) {
    release();
    fd_ = fd;
  }
  void release() {
    if (fd_ >= 0) ::flock(fd_, LOCK_UN);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

JsonlLog::JsonlLog(Options options) : options_(std::move(options)), rotated_(options_.path) {
  if (options_.path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(options_.path.parent_path(), ec);
    if (ec) {
      throw JsonlLogError(status_of(ec.value()),
                          std::string(kWho) + ": cannot create the folder of 'path' (" +
                              options_.path.parent_path().string() + "): " + ec.message());
    }
  }
  fd_ = open_path();
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail(PL_UNAVAILABLE, "inspect", errno);
  regular_ = S_ISREG(st.st_mode);
  if (!regular_ && (options_.max_bytes > 0 || options_.rotate_daily)) {
    ::close(fd_);
    fd_ = -1;
    throw JsonlLogError(PL_INVALID_ARGUMENT,
                        std::string(kWho) + ": 'path' " + options_.path.string() +
                            " is not a regular file, so 'max_bytes' and 'rotate_daily' cannot "
                            "rotate it");
  }
  if (regular_) {
    Lock lock;
    lock_current(lock);
    repair_tail();
  }
}

JsonlLog::~JsonlLog() {
  if (fd_ >= 0) ::close(fd_);
}

int JsonlLog::open_path() const {
  // Read access too: repairing the end of the file reads it.
  int fd = retry_eintr(
      [&] { return ::open(options_.path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644); });
  if (fd < 0) {
    int e = errno;
    throw JsonlLogError(status_of(e), std::string(kWho) + ": cannot open 'path' " +
                                          options_.path.string() + ": " + std::strerror(e));
  }
  return fd;
}

void JsonlLog::fail(int32_t code, const std::string& doing, int err) const {
  throw JsonlLogError(code, std::string(kWho) + ": cannot " + doing + " " + options_.path.string() +
                                ": " + std::strerror(err));
}

void JsonlLog::lock_current(Lock& lock) {
  for (;;) {
    if (retry_eintr([&] { return ::flock(fd_, LOCK_EX); }) != 0)
      fail(status_of(errno), "lock", errno);
    struct stat mine {
    }, named{};
    if (::fstat(fd_, &mine) != 0) fail(PL_UNAVAILABLE, "inspect", errno);
    if (::stat(options_.path.c_str(), &named) == 0 && same_file(mine, named)) {
      lock.hold(fd_);
      return;
    }
    // Another process (or logrotate) moved or removed the file since it was opened: write to
    // what the path names now, never into the rotated file.
    ::flock(fd_, LOCK_UN);
    int fresh = open_path();
    ::close(fd_);
    fd_ = fresh;
  }
}

void JsonlLog::repair_tail() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail(PL_UNAVAILABLE, "inspect", errno);
  const off_t size = st.st_size;
  if (size == 0) return;
  char last = 0;
  if (retry_eintr([&] { return ::pread(fd_, &last, 1, size - 1); }) != 1)
    fail(PL_UNAVAILABLE, "read the end of", errno);
  if (last == '\n') return;
  // Under the lock no writer of this sink is inside a write(), so the partial line was left by a
  // writer that died in one (or by another program).
  const off_t from = size > kRepairScan ? size - kRepairScan : 0;
  std::string tail(static_cast<std::size_t>(size - from), '\0');
  for (std::size_t got = 0; got < tail.size();) {
    ssize_t n = retry_eintr([&] {
      return ::pread(fd_, tail.data() + got, tail.size() - got, from + static_cast<off_t>(got));
    });
    if (n <= 0) fail(PL_UNAVAILABLE, "read the end of", n < 0 ? errno : EIO);
    got += static_cast<std::size_t>(n);
  }
  const std::size_t nl = tail.rfind('\n');
  const bool judged = nl != std::string::npos || from == 0;
  const off_t cut = nl == std::string::npos ? from : from + static_cast<off_t>(nl) + 1;
  boost::system::error_code ec;
  if (judged) {
    boost::json::parse(std::string_view(tail).substr(static_cast<std::size_t>(cut - from)), ec);
  }
  if (judged && ec) {
    // A record cut short: it was never complete, so removing it loses nothing that was written.
    if (::ftruncate(fd_, cut) != 0) fail(status_of(errno), "cut the partial last line of", errno);
  } else {
    // A whole JSON value without its newline (another program wrote it), or a line too long to
    // judge: keep it, and end it so the next record starts a line of its own.
    if (retry_eintr([&] { return ::write(fd_, "\n", 1); }) != 1)
      fail(status_of(errno), "write", errno);
  }
}

bool JsonlLog::rotate_if_due(Lock& lock, std::size_t incoming) {
  if (!regular_ || (options_.max_bytes <= 0 && !options_.rotate_daily)) return false;
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail(PL_UNAVAILABLE, "inspect", errno);
  if (st.st_size == 0) return false;
  const bool by_size =
      options_.max_bytes > 0 && st.st_size + static_cast<off_t>(incoming) > options_.max_bytes;
  // Named after the day of its last write: for a daily rotation, the day its records were written.
  const std::string day = utc_day(st.st_mtim.tv_sec);
  const bool by_day = options_.rotate_daily && day != utc_day(std::time(nullptr));
  if (!by_size && !by_day) return false;

  for (int attempt = 0;; ++attempt) {
    const fs::path target = rotated_.next_name(day);
    if (::renameat2(AT_FDCWD, options_.path.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) ==
        0) {
      break;
    }
    int e = errno;
    if (e == EINVAL || e == ENOSYS) {
      // No RENAME_NOREPLACE on this file system: the lock still keeps this sink's writers from
      // racing for a name.
      std::error_code ec;
      if (!fs::exists(target, ec) && ::rename(options_.path.c_str(), target.c_str()) == 0) break;
      e = errno;
    }
    if (e != EEXIST || attempt >= 100) fail(status_of(e), "rotate", e);
  }
  if (options_.fsync) {
    // The rename durable too: sync the folder.
    const fs::path dir = options_.path.has_parent_path() ? options_.path.parent_path() : ".";
    if (int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
      ::fsync(d);
      ::close(d);
    }
  }
  // The renamed file is finished; lock_current() opens and locks the new one (another process
  // may have created it meanwhile).
  lock.release();
  lock_current(lock);
  rotated_.prune(static_cast<std::size_t>(options_.max_files));
  return true;
}

void JsonlLog::append(std::string_view lines) {
  if (lines.empty()) return;
  Lock lock;
  if (regular_) {
    lock_current(lock);
    do {
      repair_tail();
    } while (rotate_if_due(lock, lines.size()));
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail(PL_UNAVAILABLE, "inspect", errno);
  const off_t start = st.st_size;
  // One write() normally; a short one (a full disk, a signal) is continued. A writer killed in
  // between leaves a partial last line, which the next writer cuts off under the lock.
  for (std::size_t done = 0; done < lines.size();) {
    ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : ENOSPC;
      // Nothing of this batch stays: a half-written line must not be followed by the next one.
      if (regular_ && ::ftruncate(fd_, start) != 0) {
        // Still locked; the next writer's repair cuts the partial line off.
      }
      fail(status_of(e), "write", e);
    }
    done += static_cast<std::size_t>(n);
  }
  if (options_.fsync && regular_ && ::fdatasync(fd_) != 0) fail(status_of(errno), "sync", errno);
}

}  // namespace pipeline::metrics_jsonl
