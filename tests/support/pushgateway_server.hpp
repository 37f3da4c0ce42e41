// A real Prometheus Pushgateway (Debian's prometheus-pushgateway) for one test: started on a free
// loopback port with persistence off, stopped at destruction.
//
//   if (!PushgatewayServer::available()) GTEST_SKIP() << PushgatewayServer::kSkipMessage;
//   PushgatewayServer pg;  ASSERT_TRUE(pg.start());  pg.url();  pg.metrics();
#pragma once

#include <sys/types.h>

#include <string>

namespace pipeline::testing {

class PushgatewayServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/prometheus-pushgateway";
  static constexpr const char* kSkipMessage =
      "prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway); "
      "Pushgateway tests skipped";

  static bool available();

  PushgatewayServer();
  ~PushgatewayServer();
  PushgatewayServer(const PushgatewayServer&) = delete;
  PushgatewayServer& operator=(const PushgatewayServer&) = delete;

  // Starts it (on the same port as before, if it ran already) and waits until /-/ready answers 200;
  // false when it did not come up in time.
  bool start();
  void stop();
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // "http://127.0.0.1:PORT": the base URL a client pushes to.
  std::string url() const;
  // What Prometheus would scrape from it (GET /metrics); empty when it does not answer.
  std::string metrics() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool started_once_ = false;
};

}  // namespace pipeline::testing
