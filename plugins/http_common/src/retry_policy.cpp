#include "http_common/retry_policy.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace pipeline::http {

namespace {

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
    v.remove_suffix(1);
  return v;
}

std::optional<double> parse_number(std::string_view v) {
  if (v.empty()) return std::nullopt;
  for (char c : v)
    if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  double out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return out;
}

}  // namespace

int64_t backoff_delay_ms(const RetrySettings& s, int attempt, double uniform01) {
  double d = static_cast<double>(s.initial_backoff_ms) *
             std::pow(std::max(1.0, s.multiplier), std::max(0, attempt - 1));
  d = std::min(d, static_cast<double>(s.max_backoff_ms));
  double jitter = std::clamp(s.jitter, 0.0, 1.0);
  d *= 1.0 - jitter + jitter * std::clamp(uniform01, 0.0, 1.0);
  return std::max<int64_t>(0, static_cast<int64_t>(d));
}

std::optional<int64_t> parse_retry_after(std::string_view value, std::time_t now) {
  value = trim(value);
  if (auto secs = parse_number(value)) return static_cast<int64_t>(*secs * 1000.0);
  // An HTTP-date; curl_getdate understands RFC 1123/850 and asctime forms.
  std::string copy(value);
  std::time_t when = curl_getdate(copy.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::max<int64_t>(0, static_cast<int64_t>(when - now) * 1000);
}

std::optional<int64_t> parse_duration_ms(std::string_view value) {
  value = trim(value);
  if (value.size() < 2 || value.back() != 's') return std::nullopt;
  auto secs = parse_number(value.substr(0, value.size() - 1));
  if (!secs) return std::nullopt;
  return static_cast<int64_t>(*secs * 1000.0);
}

}  // namespace pipeline::http
