// The settings every HTTP provider shares (docs/config.md, "Providers"), parsed from the JSON
// config given to create(). Provider-specific keys stay in `raw` for the provider to read.
//
//   ProviderConfig c = parse_provider_config(json, defaults, {"anthropic_version"}, host);
#ifndef PIPELINE_HTTP_COMMON_PROVIDER_CONFIG_HPP
#define PIPELINE_HTTP_COMMON_PROVIDER_CONFIG_HPP

#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_common/http_client.hpp"
#include "http_common/price_table.hpp"
#include "http_common/retry_policy.hpp"

namespace pipeline::http {

// What a provider plugin fills in before the config is read.
struct ProviderDefaults {
  std::string provider;  // "anthropic", "gemini", "openai"
  std::string base_url;
  std::string api_key_env;  // "" means: no key unless the config names a variable
  std::string model;
  bool key_required = true;  // a call without a key fails before sending anything
  std::vector<ModelPrice> prices;
};

struct ProviderConfig {
  std::string provider;
  std::string base_url;     // without a trailing '/'
  std::string api_key_env;  // the NAME of the environment variable
  std::string api_key;      // the secret itself, trimmed: never logged, never put in a message
  std::vector<std::string> api_key_forms;  // every form of it a server may echo (sdk/secret.hpp)
  bool key_required = true;
  std::string model;
  int64_t max_tokens = 1024;  // used when a request gives none
  bool stream = false;        // used when a request does not say
  TransferLimits limits;
  RetrySettings retry;
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  size_t max_idle_connections = 64;
  PriceTable prices;
  boost::json::object raw;  // the whole config, for provider-specific keys

  // Replaces every form of the API key in `text` (as read, trimmed, URL-encoded, JSON-escaped)
  // with "[REDACTED]".
  std::string redact(std::string text) const;
};

// Throws std::invalid_argument with a message naming the bad key. Unknown keys are reported as
// warnings through `host` (a typo must not pass silently, a newer setting must not break).
ProviderConfig parse_provider_config(std::string_view json, const ProviderDefaults& defaults,
                                     std::initializer_list<std::string_view> provider_keys,
                                     const sdk::Host& host);

}  // namespace pipeline::http

#endif  // PIPELINE_HTTP_COMMON_PROVIDER_CONFIG_HPP
