// Answers a call from the response cache when an identical request was answered before by the
// same provider instance (same component, base URL and settings); otherwise asks the next layer
// and stores a successful answer. Errors are never stored. A cached answer says "cached": true
// and costs nothing; a streaming caller still gets its text, as one text_delta.
//
//   ResponseCacheLayer cache(std::move(provider_layer), routes, cache_manager);
#pragma once

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/llm/completion.hpp>
#include <pipeline/llm/provider_routes.hpp>

#include <memory>

namespace pipeline {

class ResponseCacheLayer : public Completion {
 public:
  ResponseCacheLayer(std::unique_ptr<Completion> next, std::shared_ptr<const ProviderRoutes> routes,
                     std::shared_ptr<CacheManager> cache);
  CallResult complete(std::string_view request_json, const CompletionCall& call) override;

 private:
  std::unique_ptr<Completion> next_;
  std::shared_ptr<const ProviderRoutes> routes_;
  std::shared_ptr<CacheManager> cache_;
};

}  // namespace pipeline
