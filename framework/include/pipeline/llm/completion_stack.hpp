// The completion stack the runtime builds from config, outermost first: recording -> metering
// -> response cache (when a cache is configured) -> provider. The fallback chain goes between
// the cache and the provider (next issues).
//
//   auto stack = make_completion_stack(routes, cache);     // cache may be nullptr
//   stack->top().complete(request, {ctx, frame});
//   CallTotals lifetime = stack->totals();
#pragma once

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/llm/completion.hpp>
#include <pipeline/llm/metering_layer.hpp>
#include <pipeline/llm/provider_routes.hpp>

#include <memory>

namespace pipeline {

class CompletionStack {
 public:
  CompletionStack(std::unique_ptr<Completion> top, const MeteringLayer& metering)
      : top_(std::move(top)), metering_(metering) {}
  Completion& top() { return *top_; }
  // Every call this stack served, over the runtime's lifetime.
  CallTotals totals() const { return metering_.totals(); }

 private:
  std::unique_ptr<Completion> top_;
  const MeteringLayer& metering_;  // owned by top_'s chain
};

std::unique_ptr<CompletionStack> make_completion_stack(std::shared_ptr<const ProviderRoutes> routes,
                                                       std::shared_ptr<CacheManager> cache);

}  // namespace pipeline
