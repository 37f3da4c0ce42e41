#include "pushgateway_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "loopback_http.hpp"
#include "redis_server.hpp"  // free_loopback_port()

namespace pipeline::testing {

bool PushgatewayServer::available() {
  return ::access(kBinary, X_OK) == 0;
}

PushgatewayServer::PushgatewayServer() = default;

PushgatewayServer::~PushgatewayServer() {
  stop();
}

bool PushgatewayServer::start() {
  if (running()) return true;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (port_ == 0) port_ = free_loopback_port();
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
    pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) {
        ::dup2(devnull, STDOUT_FILENO);
        ::dup2(devnull, STDERR_FILENO);
      }
      // --persistence.file= (empty): metrics only in memory, nothing under /var/lib.
      ::execl(kBinary, kBinary, listen.c_str(), "--persistence.file=", "--log.level=error",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (loopback_get(port_, "/-/ready", 1).status == 200) {
        started_once_ = true;
        return true;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: the port was probably taken
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) {
      stop();
      return false;
    }
    // A restart must keep its port (the client under test pushes to it); a first may move.
    if (!started_once_) port_ = 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void PushgatewayServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string PushgatewayServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string PushgatewayServer::metrics() const {
  return loopback_get(port_, "/metrics").body;
}

}  // namespace pipeline::testing
