// Reads an input file whole, safely: only regular files (a FIFO, a device such as /dev/zero or a
// directory is refused without blocking), at most a size cap, in chunks so a cancelled run stops
// reading. Shared by the host and the in-tree plugins; header-only, POSIX.
//
//   auto f = pipeline::read_input_file(path);
//   if (!f) return error(f.message);   // "<path>: not a regular file (a FIFO)"
#pragma once

#include <pipeline/sdk/limits.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>

namespace pipeline {

struct FileContent {
  enum class Error { kNone, kNotFound, kNotRegular, kTooLarge, kIo, kCancelled };
  Error error = Error::kNone;
  std::string message;  // "<path>: <reason>"; empty on success
  std::string reason;   // the reason alone, for messages that name the path already
  std::string data;
  explicit operator bool() const { return error == Error::kNone; }
};

// The cap: $PIPELINE_MAX_FILE_BYTES when set to a positive integer, else the default.
inline std::uint64_t max_input_file_bytes() {
  if (const char* v = std::getenv("PIPELINE_MAX_FILE_BYTES"); v != nullptr && *v != '\0') {
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(v, &end, 10);
    if (errno == 0 && end != nullptr && *end == '\0' && n > 0) return n;
  }
  return limits::kDefaultMaxFileBytes;
}

namespace detail {
inline const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};
}  // namespace detail

// `cancelled` is polled between chunks of 1 MiB.
inline FileContent read_input_file(const std::filesystem::path& path,
                                   std::uint64_t max_bytes = max_input_file_bytes(),
                                   const std::function<bool()>& cancelled = {}) {
  FileContent out;
  const std::string name = path.string();
  auto fail = [&](FileContent::Error e, std::string why) {
    out.error = e;
    out.reason = why;
    out.message = name + ": " + why;
    out.data.clear();
    return out;
  };
  // O_NONBLOCK: opening a FIFO with no writer must not wait for one.
  int fd = ::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    return fail(err == ENOENT ? FileContent::Error::kNotFound : FileContent::Error::kIo,
                std::string("cannot open file: ") + std::strerror(err));
  }
  detail::FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(FileContent::Error::kIo, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    return fail(FileContent::Error::kNotRegular, std::string("not a regular file (") +
                                                     detail::file_kind(st.st_mode) +
                                                     "); only regular files are read");
  }
  auto too_large = [&](std::uint64_t size) {
    return fail(FileContent::Error::kTooLarge,
                "file is " + std::to_string(size) + " bytes, more than the limit of " +
                    std::to_string(max_bytes) + " (set PIPELINE_MAX_FILE_BYTES to change it)");
  };
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) return too_large(st.st_size);
  out.data.reserve(static_cast<std::size_t>(st.st_size));
  constexpr std::size_t kChunk = 1 << 20;
  std::string buf(kChunk, '\0');
  for (;;) {
    if (cancelled && cancelled()) return fail(FileContent::Error::kCancelled, "reading cancelled");
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(FileContent::Error::kIo, std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) break;
    if (out.data.size() + static_cast<std::size_t>(n) > max_bytes) {
      return too_large(out.data.size() + static_cast<std::size_t>(n));  // grew while read
    }
    out.data.append(buf.data(), static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace pipeline
