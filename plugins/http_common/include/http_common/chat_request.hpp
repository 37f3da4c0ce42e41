// The provider request that crosses the ABI (docs/abi.md, "Provider request"), parsed and checked
// once so that each provider only translates it into its own wire format.
//
//   ChatRequest r = parse_chat_request(request_json, config);   // throws FailureError
#ifndef PIPELINE_HTTP_COMMON_CHAT_REQUEST_HPP
#define PIPELINE_HTTP_COMMON_CHAT_REQUEST_HPP

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_common/provider_config.hpp"

namespace pipeline::http {

struct ChatMessage {
  std::string role;  // "user" or "assistant" ("system" messages are folded into `system`)
  std::string content;
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  std::string system;
  int64_t max_tokens = 0;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;  // Anthropic and Gemini only
  std::vector<std::string> stop;
  bool stream = false;
  bool json_output = false;              // response_format asked for a JSON object
  boost::json::object provider_options;  // merged verbatim into the provider's request body
};

// Applies the config's defaults (model, max_tokens, stream). Throws FailureError with class
// invalid_request on a malformed request.
ChatRequest parse_chat_request(std::string_view json, const ProviderConfig& config);

}  // namespace pipeline::http

#endif  // PIPELINE_HTTP_COMMON_CHAT_REQUEST_HPP
