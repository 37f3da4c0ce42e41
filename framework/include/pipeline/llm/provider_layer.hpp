// The bottom of the completion stack: asks the provider instance the routes choose, and checks
// its reply at the boundary, so nothing above ever sees (or caches) a reply without a string
// "text" or with non-numeric token counts: that is a bad_response error, not a success.
//
//   auto routes = std::make_shared<ProviderRoutes>(instances, step_providers, "mock");
//   ProviderLayer provider(routes);
//   CallResult r = provider.complete(request_json, {ctx, frame, &record});
#pragma once

#include <pipeline/llm/completion.hpp>
#include <pipeline/llm/provider_routes.hpp>

#include <memory>

namespace pipeline {

class ProviderLayer : public Completion {
 public:
  explicit ProviderLayer(std::shared_ptr<const ProviderRoutes> routes);
  CallResult complete(std::string_view request_json, const CompletionCall& call) override;

 private:
  std::shared_ptr<const ProviderRoutes> routes_;
};

}  // namespace pipeline
