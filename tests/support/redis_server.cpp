#include "redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

namespace pipeline::testing {

namespace {

class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

}  // namespace

int free_loopback_port() {
  Socket s;
  sockaddr_in a = loopback(0);
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 0;
  socklen_t len = sizeof a;
  if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
  return ntohs(a.sin_port);
}

bool RedisServer::available() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((dir + "/redis-server").c_str(), X_OK) == 0) return true;
  }
  return false;
}

RedisServer::RedisServer() = default;

RedisServer::~RedisServer() {
  stop();
}

bool RedisServer::ping() const {
  Socket s;
  sockaddr_in a = loopback(port_);
  if (::connect(s.fd(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
  timeval tv{1, 0};
  ::setsockopt(s.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const char ping[] = "PING\r\n";
  if (::send(s.fd(), ping, sizeof ping - 1, MSG_NOSIGNAL) != sizeof ping - 1) return false;
  char buf[16] = {};
  ssize_t n = ::recv(s.fd(), buf, sizeof buf - 1, 0);
  return n >= 5 && std::strncmp(buf, "+PONG", 5) == 0;
}

bool RedisServer::start() {
  if (running()) return true;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (port_ == 0) port_ = free_loopback_port();
    const std::string port = std::to_string(port_);
    pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) {
        ::dup2(devnull, STDOUT_FILENO);
        ::dup2(devnull, STDERR_FILENO);
      }
      ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (ping()) {
        started_once_ = true;
        return true;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: the port was probably taken
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (pid_ > 0) {
      stop();
      return false;
    }
    // A restart must keep its port (clients reconnect to it); a first start may pick another.
    if (!started_once_) port_ = 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string RedisServer::config(const std::string& extra_members) const {
  std::string c = "{\"host\":\"127.0.0.1\",\"port\":" + std::to_string(port_);
  if (!extra_members.empty()) c += "," + extra_members;
  return c + "}";
}

}  // namespace pipeline::testing
