#include <pipeline/util/atomic_file.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <random>

namespace pipeline {

namespace fs = std::filesystem;

Status write_file_atomically(const fs::path& path, std::string_view content) {
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      return Status(StatusCode::kPermissionDenied,
                    "cannot create folder " + path.parent_path().string() + ": " + ec.message());
    }
  }
  std::random_device rd;
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(StatusCode::kPermissionDenied,
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
      return Status(StatusCode::kDataLoss,
                    "cannot write " + path.string() + ": " + std::strerror(e));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Status(StatusCode::kDataLoss, "cannot flush " + path.string() + ": " + std::strerror(e));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Status(StatusCode::kDataLoss,
                  "cannot move the new " + path.string() + " into place: " + std::strerror(e));
  }
  return {};
}

}  // namespace pipeline
