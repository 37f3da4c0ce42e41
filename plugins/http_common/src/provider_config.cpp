#include "http_common/provider_config.hpp"

#include <pipeline/sdk/secret.hpp>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "http_common/json_util.hpp"

namespace pipeline::http {

namespace {

constexpr std::string_view kCommonKeys[] = {"plugin",
                                            "base_url",
                                            "api_key_env",
                                            "model",
                                            "max_tokens",
                                            "stream",
                                            "connect_timeout_ms",
                                            "first_byte_timeout_ms",
                                            "idle_timeout_ms",
                                            "timeout_ms",
                                            "max_response_bytes",
                                            "max_attempts",
                                            "initial_backoff_ms",
                                            "max_backoff_ms",
                                            "backoff_multiplier",
                                            "jitter",
                                            "max_retry_after_ms",
                                            "headers",
                                            "prices",
                                            "max_idle_connections",
                                            "description"};

int64_t get_int(const boost::json::object& o, std::string_view key, int64_t fallback,
                int64_t min_value) {
  const auto* v = json_util::find(o, key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_int64() && !v->is_uint64())
    throw std::invalid_argument("'" + std::string(key) + "' must be an integer");
  int64_t n = v->is_int64() ? v->get_int64() : static_cast<int64_t>(v->get_uint64());
  if (n < min_value)
    throw std::invalid_argument("'" + std::string(key) +
                                "' must be >= " + std::to_string(min_value));
  return n;
}

double get_double(const boost::json::object& o, std::string_view key, double fallback) {
  const auto* v = json_util::find(o, key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_number()) throw std::invalid_argument("'" + std::string(key) + "' must be a number");
  return json_util::real(*v);
}

std::string get_string(const boost::json::object& o, std::string_view key, std::string fallback) {
  const auto* v = json_util::find(o, key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_string()) throw std::invalid_argument("'" + std::string(key) + "' must be a string");
  return std::string(v->get_string());
}

}  // namespace

std::string ProviderConfig::redact(std::string text) const {
  return sdk::redact_secret_forms(std::move(text), api_key_forms);
}

ProviderConfig parse_provider_config(std::string_view json, const ProviderDefaults& d,
                                     std::initializer_list<std::string_view> provider_keys,
                                     const sdk::Host& host) {
  ProviderConfig c;
  c.provider = d.provider;
  if (!json.empty()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(json, ec);
    if (ec) throw std::invalid_argument("provider config is not valid JSON: " + ec.message());
    if (!v.is_null() && !v.is_object())
      throw std::invalid_argument("provider config must be a JSON object");
    if (v.is_object()) c.raw = std::move(v.get_object());
  }
  const auto& o = c.raw;
  for (const auto& [key, value] : o) {
    bool known =
        std::find(std::begin(kCommonKeys), std::end(kCommonKeys), key) != std::end(kCommonKeys) ||
        std::find(provider_keys.begin(), provider_keys.end(), key) != provider_keys.end();
    if (!known) host.warn(d.provider + ": unknown config key '" + std::string(key) + "' ignored");
  }

  c.base_url = get_string(o, "base_url", d.base_url);
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  if (c.base_url.rfind("http://", 0) != 0 && c.base_url.rfind("https://", 0) != 0)
    throw std::invalid_argument("'base_url' must start with http:// or https://");
  c.api_key_env = get_string(o, "api_key_env", d.api_key_env);
  c.key_required = d.key_required || !c.api_key_env.empty();
  if (!c.api_key_env.empty()) {
    // Read once, at create(): the environment is not touched on the hot path.
    // A key pasted with surrounding whitespace is used trimmed; what a server echoes of it is
    // redacted in every form.
    if (const char* key = std::getenv(c.api_key_env.c_str())) {
      c.api_key = sdk::trim_secret(key);
      c.api_key_forms = sdk::secret_forms(key);
    }
  }
  c.model = get_string(o, "model", d.model);
  c.max_tokens = get_int(o, "max_tokens", c.max_tokens, 1);
  if (const auto* s = json_util::find(o, "stream"); s != nullptr && !s->is_null()) {
    if (!s->is_bool()) throw std::invalid_argument("'stream' must be a boolean");
    c.stream = s->get_bool();
  }

  c.limits.connect_timeout_ms = get_int(o, "connect_timeout_ms", c.limits.connect_timeout_ms, 1);
  c.limits.first_byte_timeout_ms =
      get_int(o, "first_byte_timeout_ms", c.limits.first_byte_timeout_ms, 1);
  c.limits.idle_timeout_ms = get_int(o, "idle_timeout_ms", c.limits.idle_timeout_ms, 0);
  c.limits.total_timeout_ms = get_int(o, "timeout_ms", c.limits.total_timeout_ms, 1);
  c.limits.max_response_bytes = static_cast<size_t>(
      get_int(o, "max_response_bytes", static_cast<int64_t>(c.limits.max_response_bytes), 1024));

  c.retry.max_attempts = static_cast<int>(get_int(o, "max_attempts", c.retry.max_attempts, 1));
  c.retry.initial_backoff_ms = get_int(o, "initial_backoff_ms", c.retry.initial_backoff_ms, 0);
  c.retry.max_backoff_ms = get_int(o, "max_backoff_ms", c.retry.max_backoff_ms, 0);
  c.retry.multiplier = get_double(o, "backoff_multiplier", c.retry.multiplier);
  c.retry.jitter = get_double(o, "jitter", c.retry.jitter);
  if (c.retry.jitter < 0 || c.retry.jitter > 1)
    throw std::invalid_argument("'jitter' must be between 0 and 1");
  c.retry.max_retry_after_ms = get_int(o, "max_retry_after_ms", c.retry.max_retry_after_ms, 0);
  c.max_idle_connections = static_cast<size_t>(get_int(o, "max_idle_connections", 64, 0));

  if (const auto* h = json_util::find(o, "headers"); h != nullptr && !h->is_null()) {
    if (!h->is_object()) throw std::invalid_argument("'headers' must be an object");
    for (const auto& [name, value] : h->get_object()) {
      if (!value.is_string())
        throw std::invalid_argument("headers." + std::string(name) + " must be a string");
      std::string_view n = name;
      if (n.find_first_of(":\r\n") != std::string_view::npos ||
          std::string_view(value.get_string()).find_first_of("\r\n") != std::string_view::npos)
        throw std::invalid_argument("headers." + std::string(name) + " is not a valid header");
      c.headers.emplace_back(std::string(name), std::string(value.get_string()));
    }
  }

  c.prices = PriceTable(d.prices);
  if (const auto* p = json_util::find(o, "prices")) c.prices.override_with(*p);
  return c;
}

}  // namespace pipeline::http
