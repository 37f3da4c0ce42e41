// The prometheus sink's settings, read from its config object with an error naming the setting
// for anything wrong (the host shows it as "refused its config: ..." and exits 2).
//
//   SinkSettings s = parse_sink_settings(R"({"listen": "127.0.0.1:9464"})");
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::metrics_prometheus {

inline constexpr const char* kWho = "prometheus metrics sink";

struct SinkSettings {
  // listen: "HOST:PORT" (port 0: any free port). Empty: no HTTP endpoint.
  std::string listen_host;
  int listen_port = -1;
  std::string listen_file;  // where the bound "HOST:PORT" is written once listening
  // pushgateway: the Pushgateway's base URL (no trailing slash). Empty: no pushes.
  std::string pushgateway;
  std::string job = "pipeline";
  std::string instance;  // empty: this host's name
  std::int64_t push_timeout_ms = 2000;
  // textfile: a .prom file for node_exporter's textfile collector. Empty: none.
  std::string textfile;
  std::size_t max_series = 10000;
  std::vector<double> latency_buckets;
  std::vector<double> host_overhead_buckets;

  bool listens() const { return listen_port >= 0; }
};

SinkSettings parse_sink_settings(std::string_view config_json);

}  // namespace pipeline::metrics_prometheus
