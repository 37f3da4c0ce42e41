#include "failure_plan.hpp"

#include "prompt_hash.hpp"

#include <string_view>
#include <utility>

namespace json = boost::json;

namespace pipeline::mock {

namespace {

int32_t status_from_name(std::string_view n) {
  static const std::pair<const char*, int32_t> kNames[] = {
      {"CANCELLED", PL_CANCELLED},
      {"UNKNOWN", PL_UNKNOWN},
      {"INVALID_ARGUMENT", PL_INVALID_ARGUMENT},
      {"DEADLINE_EXCEEDED", PL_DEADLINE_EXCEEDED},
      {"NOT_FOUND", PL_NOT_FOUND},
      {"PERMISSION_DENIED", PL_PERMISSION_DENIED},
      {"RESOURCE_EXHAUSTED", PL_RESOURCE_EXHAUSTED},
      {"FAILED_PRECONDITION", PL_FAILED_PRECONDITION},
      {"INTERNAL", PL_INTERNAL},
      {"UNAVAILABLE", PL_UNAVAILABLE},
      {"UNAUTHENTICATED", PL_UNAUTHENTICATED},
  };
  for (auto& [name, code] : kNames) {
    if (n == name) return code;
  }
  throw pipeline::sdk::Error(PL_INVALID_ARGUMENT,
                             "mock: unknown failure status '" + std::string(n) + "'");
}

}  // namespace

void FailurePlan::configure(const json::object& f) {
  FailurePlan& p = *this;
  if (auto* x = f.if_contains("after_calls")) p.after_calls_ = x->to_number<int64_t>();
  if (auto* x = f.if_contains("rate")) p.rate_ = x->to_number<double>();
  if (auto* x = f.if_contains("count")) p.count_ = x->to_number<int64_t>();
  if (auto* x = f.if_contains("seed")) p.seed_ = x->to_number<uint64_t>();
  if (auto* x = f.if_contains("status"))
    p.status_ = status_from_name(json::value_to<std::string>(*x));
  if (auto* x = f.if_contains("class")) p.error_class_ = json::value_to<std::string>(*x);
  if (auto* x = f.if_contains("http_status")) p.http_status_ = x->to_number<int>();
  if (auto* x = f.if_contains("retry_after_ms")) p.retry_after_ms_ = x->to_number<int64_t>();
  if (auto* x = f.if_contains("message")) p.message_ = json::value_to<std::string>(*x);
}

bool FailurePlan::should_fail(int64_t call) {
  if (rate_ <= 0.0 || call < after_calls_) return false;
  double draw =
      static_cast<double>(fnv1a(std::to_string(call), seed_ * 0x9e3779b97f4a7c15ull) % 1000000) /
      1e6;
  if (draw >= rate_) return false;
  if (count_ < 0) return true;
  return failed_.fetch_add(1) < count_;
}

pipeline::sdk::ProviderError FailurePlan::error() const {
  return pipeline::sdk::ProviderError(status_, error_class_, message_, http_status_,
                                      retry_after_ms_);
}

}  // namespace pipeline::mock
