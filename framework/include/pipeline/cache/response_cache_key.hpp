// The response cache key: "resp:v1:" + hex SHA-256 of the canonical request (sorted keys, no
// whitespace) {"base_url", "provider", "request"}. The request keeps model, messages, system and
// every parameter; the fields listed in kIgnoredFields (secrets and transport details that do not
// change the answer, e.g. "api_key", "stream") are removed first, so an API key never reaches a
// key.
//
//   std::string key = ResponseCacheKey::make("anthropic", "https://api.example", request_json);
#pragma once

#include <pipeline/json.hpp>

#include <array>
#include <string>
#include <string_view>

namespace pipeline {

class ResponseCacheKey {
 public:
  static constexpr std::string_view kPrefix = "resp:v1:";
  static constexpr std::array<std::string_view, 7> kIgnoredFields = {
      "api_key", "authorization", "headers", "stream", "request_id", "timeout_ms", "metadata"};

  // The canonical text that is hashed (exposed for tests and debugging).
  static std::string canonical(std::string_view provider, std::string_view base_url,
                               const json::value& request);
  static std::string make(std::string_view provider, std::string_view base_url,
                          const json::value& request);
};

}  // namespace pipeline
