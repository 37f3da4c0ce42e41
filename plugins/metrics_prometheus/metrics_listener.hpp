// The sink's HTTP endpoint: GET /metrics answers with the exposition `render` returns, on a
// thread of its own for as long as the listener lives (cpp-httplib, a small fixed pool).
//
//   MetricsListener l("127.0.0.1", 0, [&] { return metrics.render(); });  // throws when it
//   l.address();                                                          // cannot bind
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace pipeline::metrics_prometheus {

class MetricsListener {
 public:
  // Port 0: any free port. Throws sdk::Error (naming 'listen') when the address cannot be bound.
  MetricsListener(const std::string& host, int port, std::function<std::string()> render);
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  // "HOST:PORT" as bound (the chosen port when 0 was asked for).
  const std::string& address() const { return address_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::atomic<bool> finished_{false};
  std::thread thread_;
  std::string address_;
};

}  // namespace pipeline::metrics_prometheus
