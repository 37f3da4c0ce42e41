#include "metrics_listener.hpp"

#include <pipeline/plugin.hpp>

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "sink_settings.hpp"

namespace pipeline::metrics_prometheus {

namespace {
// A scrape is one short GET; a few threads keep one keep-alive scraper from blocking another.
constexpr std::size_t kThreads = 2;
}  // namespace

MetricsListener::MetricsListener(const std::string& host, int port,
                                 std::function<std::string()> render)
    : server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  // httplib's default adds SO_REUSEPORT, which would let a second sink (or process) bind the
  // same port and take half the scrapes; SO_REUSEADDR alone only skips TIME_WAIT.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server_->Get("/metrics",
               [render = std::move(render)](const httplib::Request&, httplib::Response& res) {
                 res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
               });
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404)
      res.set_content("not found; the metrics are at /metrics\n", "text/plain");
  });
  const bool v6 = host.find(':') != std::string::npos;
  errno = 0;
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(host);
  } else if (!server_->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    const int e = errno;
    throw sdk::Error(PL_UNAVAILABLE, std::string(kWho) + ": 'listen': cannot listen on " +
                                         (v6 ? "[" + host + "]" : host) + ":" +
                                         std::to_string(port) +
                                         (e != 0 ? std::string(": ") + std::strerror(e) : ""));
  }
  address_ = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(bound);
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    finished_ = true;
  });
  // stop() reaches only a server that is running: wait until it runs (or gave up), so the
  // destructor's stop() cannot be lost.
  while (!server_->is_running() && !finished_)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

MetricsListener::~MetricsListener() {
  server_->stop();
  thread_.join();
}

}  // namespace pipeline::metrics_prometheus
