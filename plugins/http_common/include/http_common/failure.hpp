// The structured failure of one provider call: the error classes the fallback chain decides on,
// their retryability and their ABI status codes.
//
//   throw FailureError({error_class::kRateLimited, 429, 2000, "slow down"});
#ifndef PIPELINE_HTTP_COMMON_FAILURE_HPP
#define PIPELINE_HTTP_COMMON_FAILURE_HPP

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace pipeline::http {

// The classes of docs/abi.md ("Provider errors"). `cancelled` is not a provider fault: the caller
// asked to stop.
namespace error_class {
inline constexpr std::string_view kRateLimited = "rate_limited";
inline constexpr std::string_view kOverloaded = "overloaded";
inline constexpr std::string_view kServerError = "server_error";
inline constexpr std::string_view kTimeout = "timeout";
inline constexpr std::string_view kAuth = "auth";
inline constexpr std::string_view kInvalidRequest = "invalid_request";
inline constexpr std::string_view kContextWindow = "context_window";
inline constexpr std::string_view kContentFilter = "content_filter";
inline constexpr std::string_view kNetwork = "network";
inline constexpr std::string_view kBadResponse = "bad_response";
inline constexpr std::string_view kCancelled = "cancelled";
}  // namespace error_class

struct Failure {
  std::string error_class;
  int http_status = 0;          // 0 when no HTTP status was received
  int64_t retry_after_ms = -1;  // -1 when the server gave no hint
  std::string message;
};

// Thrown inside the HTTP plumbing; HttpProvider turns it into an sdk::ProviderError at the end.
class FailureError : public std::exception {
 public:
  explicit FailureError(Failure f) : failure_(std::move(f)) {}
  const Failure& failure() const noexcept { return failure_; }
  const char* what() const noexcept override { return failure_.message.c_str(); }

 private:
  Failure failure_;
};

// True for the transient classes a retry (or another provider) may cure.
bool is_retryable_class(std::string_view error_class);
// The canonical PL_* status a class maps to.
int32_t status_for_class(std::string_view error_class);
// The class of an HTTP error status before any provider-specific refinement.
std::string class_for_http_status(long status);
// Statuses the retry loop may retry: 408, 429, 500, 502, 503, 504, 529.
bool is_retryable_http_status(long status);

}  // namespace pipeline::http

#endif  // PIPELINE_HTTP_COMMON_FAILURE_HPP
