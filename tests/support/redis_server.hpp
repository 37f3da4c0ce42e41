// A real redis-server for one test: started on a free loopback port with persistence off,
// stopped (or killed, or restarted on the same port) on demand, always stopped at destruction.
//
//   if (!RedisServer::available()) GTEST_SKIP() << RedisServer::kSkipMessage;
//   RedisServer redis;  ASSERT_TRUE(redis.start());  redis.port();  redis.kill();
#pragma once

#include <sys/types.h>

#include <string>

namespace pipeline::testing {

class RedisServer {
 public:
  static constexpr const char* kSkipMessage =
      "redis-server is not installed (apt-get install redis-server); Redis tests skipped";

  // True when a redis-server binary is on PATH.
  static bool available();

  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server (on the same port as before, if it ran already) and waits until it answers
  // PING. False when it did not come up within a few seconds.
  bool start();
  // SIGKILL, as a crash would: no goodbye to clients.
  void kill();
  void stop();
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // {"host":"127.0.0.1","port":P, ...extra}: a config for the redis cache backend.
  std::string config(const std::string& extra_members = "") const;

 private:
  bool ping() const;
  pid_t pid_ = -1;
  int port_ = 0;
  bool started_once_ = false;
};

int free_loopback_port();

}  // namespace pipeline::testing
