#include <pipeline/cache/response_cache_key.hpp>
#include <pipeline/cache/sha256.hpp>

#include <algorithm>

namespace pipeline {

std::string ResponseCacheKey::canonical(std::string_view provider, std::string_view base_url,
                                        const json::value& request) {
  json::value req = request;
  if (req.is_object()) {
    for (std::string_view field : kIgnoredFields) req.as_object().erase(field);
  }
  json::object doc;
  doc["provider"] = provider;
  doc["base_url"] = base_url;
  doc["request"] = std::move(req);
  return canonical_json(doc);
}

std::string ResponseCacheKey::make(std::string_view provider, std::string_view base_url,
                                   const json::value& request) {
  return std::string(kPrefix) + sha256_hex(canonical(provider, base_url, request));
}

}  // namespace pipeline
