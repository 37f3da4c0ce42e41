// Pushes exposition text to a Prometheus Pushgateway with libcurl: one PUT per group, so each
// push replaces what this job, workflow and instance pushed before (the counters are this
// process's totals, not increments).
//
//   PushgatewayClient pg("http://localhost:9091", 2000);
//   pg.put({{"job", "pipeline"}, {"workflow", "triage"}, {"instance", "host-1"}}, text);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::metrics_prometheus {

using GroupingKey = std::vector<std::pair<std::string, std::string>>;

// "<base>/metrics/job/<job>/<label>/<value>...": a value that is empty or not URL-safe goes in
// the Pushgateway's base64 form ("<label>@base64/<base64url>"), so a '/' in a workflow name
// cannot change the path.
std::string grouping_url(std::string_view base, const GroupingKey& key);

// The URL with any user:password@ removed, for messages.
std::string redact_url(std::string_view url);

class PushgatewayClient {
 public:
  PushgatewayClient(std::string base_url, std::int64_t timeout_ms);
  ~PushgatewayClient();
  PushgatewayClient(const PushgatewayClient&) = delete;
  PushgatewayClient& operator=(const PushgatewayClient&) = delete;

  // Empty on success, else why the push failed (network error or the status and body).
  std::string put(const GroupingKey& key, const std::string& text);

 private:
  std::string base_;
  std::int64_t timeout_ms_;
};

}  // namespace pipeline::metrics_prometheus
