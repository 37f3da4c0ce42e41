#include "http_common/failure.hpp"

#include <pipeline/plugin.h>

namespace pipeline::http {

bool is_retryable_class(std::string_view c) {
  return c == error_class::kRateLimited || c == error_class::kOverloaded ||
         c == error_class::kServerError || c == error_class::kTimeout || c == error_class::kNetwork;
}

int32_t status_for_class(std::string_view c) {
  if (c == error_class::kRateLimited) return PL_RESOURCE_EXHAUSTED;
  if (c == error_class::kOverloaded || c == error_class::kServerError || c == error_class::kNetwork)
    return PL_UNAVAILABLE;
  if (c == error_class::kTimeout) return PL_DEADLINE_EXCEEDED;
  if (c == error_class::kAuth) return PL_UNAUTHENTICATED;
  if (c == error_class::kInvalidRequest) return PL_INVALID_ARGUMENT;
  if (c == error_class::kContextWindow) return PL_OUT_OF_RANGE;
  if (c == error_class::kContentFilter) return PL_FAILED_PRECONDITION;
  if (c == error_class::kCancelled) return PL_CANCELLED;
  return PL_INTERNAL;  // bad_response and anything unknown
}

std::string class_for_http_status(long status) {
  switch (status) {
    case 401:
    case 403:
      return std::string(error_class::kAuth);
    case 408:
      return std::string(error_class::kTimeout);
    case 429:
      return std::string(error_class::kRateLimited);
    case 503:
    case 529:
      return std::string(error_class::kOverloaded);
    case 500:
    case 502:
    case 504:
      return std::string(error_class::kServerError);
    default:
      break;
  }
  if (status >= 500) return std::string(error_class::kServerError);
  if (status >= 400) return std::string(error_class::kInvalidRequest);
  return std::string(error_class::kBadResponse);
}

bool is_retryable_http_status(long s) {
  return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504 || s == 529;
}

}  // namespace pipeline::http
