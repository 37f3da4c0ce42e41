// Writes a file so that readers see either the old content or the new, never a torn one: a
// temporary file "<path>.tmp.<pid>.<random>" in the same folder, fsync, then rename over the
// target. Shared by the host and the in-tree plugins; header-only, POSIX.
//
//   if (auto w = pipeline::atomic_write_file("out/result.json", text); !w) fail(w.message);
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace pipeline {

struct FileWrite {
  enum class Error { kNone, kFolder, kOpen, kWrite, kFlush, kRename };
  Error error = Error::kNone;
  std::string message;  // "cannot write <path>: <reason>"; empty on success
  explicit operator bool() const { return error == Error::kNone; }
};

// Creates missing parent folders.
inline FileWrite atomic_write_file(const std::filesystem::path& path, std::string_view content) {
  namespace fs = std::filesystem;
  auto failed = [](FileWrite::Error e, std::string m) { return FileWrite{e, std::move(m)}; };
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      return failed(FileWrite::Error::kFolder,
                    "cannot create folder " + path.parent_path().string() + ": " + ec.message());
    }
  }
  std::random_device rd;
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return failed(FileWrite::Error::kOpen,
                  "cannot write " + path.string() + ": " + std::strerror(errno));
  }
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return failed(FileWrite::Error::kWrite,
                    "cannot write " + path.string() + ": " + std::strerror(e));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return failed(FileWrite::Error::kFlush,
                  "cannot flush " + path.string() + ": " + std::strerror(e));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return failed(FileWrite::Error::kRename,
                  "cannot move the new " + path.string() + " into place: " + std::strerror(e));
  }
  return {};
}

}  // namespace pipeline
