#include <pipeline/util/atomic_file.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
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

namespace {

// The pid in "<name>.tmp.<pid>.<digits>", or 0 when the name is not one of ours.
pid_t temp_file_owner(const std::string& name) {
  const auto mark = name.rfind(".tmp.");
  if (mark == std::string::npos || mark == 0) return 0;
  const std::string_view rest = std::string_view(name).substr(mark + 5);
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) return 0;
  const std::string_view digits = rest.substr(dot + 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return 0;
  }
  long pid = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + dot, pid);
  if (ec != std::errc() || end != rest.data() + dot || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

}  // namespace

std::size_t remove_stale_temp_files(const fs::path& dir, std::size_t max_entries) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  std::size_t removed = 0, seen = 0;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++seen > max_entries) break;
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    const pid_t owner = temp_file_owner(it->path().filename().string());
    if (owner == 0 || owner == ::getpid()) continue;
    // ESRCH: no such process, so nobody will ever finish or remove this file. EPERM means the
    // process exists (another user's): keep its file.
    if (::kill(owner, 0) == 0 || errno != ESRCH) continue;
    if (fs::remove(it->path(), ec)) ++removed;
    ec.clear();
  }
  return removed;
}

}  // namespace pipeline
