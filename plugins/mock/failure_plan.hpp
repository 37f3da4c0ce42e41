// Injected failures for fallback and retry tests: from call number `after_calls` on, a `rate`
// share of calls (chosen by a seeded hash of the call number, so runs repeat) fail, at most
// `count` times (-1: no limit), with the configured status, class, HTTP status and retry hint.
//
//   FailurePlan plan;
//   plan.configure(cfg.at("failures").as_object());
//   if (plan.should_fail(call_number)) throw plan.error();
#pragma once

#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <cstdint>
#include <string>

namespace pipeline::mock {

class FailurePlan {
 public:
  void configure(const boost::json::object& f);

  bool should_fail(int64_t call);
  pipeline::sdk::ProviderError error() const;

 private:
  int64_t after_calls_ = 0;
  double rate_ = 0.0;
  int64_t count_ = -1;
  uint64_t seed_ = 1;
  int32_t status_ = PL_UNAVAILABLE;
  std::string error_class_ = "server_error";
  int http_status_ = 503;
  int64_t retry_after_ms_ = -1;
  std::string message_ = "injected failure";
  std::atomic<int64_t> failed_{0};
};

}  // namespace pipeline::mock
