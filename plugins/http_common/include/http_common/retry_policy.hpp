// When and how long to wait before retrying a failed provider call: exponential backoff with
// jitter, and the server's own Retry-After hint (capped).
//
//   RetrySettings s;                         // from provider config
//   int64_t wait = backoff_delay_ms(s, attempt, uniform01);
#ifndef PIPELINE_HTTP_COMMON_RETRY_POLICY_HPP
#define PIPELINE_HTTP_COMMON_RETRY_POLICY_HPP

#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>

namespace pipeline::http {

struct RetrySettings {
  int max_attempts = 4;                // including the first one; 1 disables retries
  int64_t initial_backoff_ms = 500;    // delay after the first failure, before jitter
  int64_t max_backoff_ms = 20000;      // cap of the exponential delay
  double multiplier = 2.0;             // growth per attempt
  double jitter = 0.5;                 // fraction of the delay that is randomized (0..1)
  int64_t max_retry_after_ms = 60000;  // a longer Retry-After fails the call at once instead
};

// Delay after failed attempt number `attempt` (1-based). `uniform01` is a random number in [0, 1):
// the delay is d * (1 - jitter + jitter * uniform01) with d = initial * multiplier^(attempt-1),
// capped at max_backoff_ms.
int64_t backoff_delay_ms(const RetrySettings& s, int attempt, double uniform01);

// Parses an HTTP Retry-After value (delta-seconds, possibly fractional, or an HTTP-date relative
// to `now`) into milliseconds; nullopt when unparsable.
std::optional<int64_t> parse_retry_after(std::string_view value, std::time_t now);

// Parses a Google duration string such as "30s" or "1.5s" (google.rpc.RetryInfo.retryDelay).
std::optional<int64_t> parse_duration_ms(std::string_view value);

}  // namespace pipeline::http

#endif  // PIPELINE_HTTP_COMMON_RETRY_POLICY_HPP
