// The completion stack the runtime builds from config, outermost first: recording -> metering
// -> fallback (when the chain has provider entries) -> response cache (when a cache is
// configured) -> provider. llm/fallback_layer.hpp says why the fallback layer sits above the
// cache.
//
//   auto stack = make_completion_stack(routes, cache);     // cache may be nullptr
//   auto hybrid = make_completion_stack(routes, cache, chain, cooldown);   // cooldown may be null
//   stack->top().complete(request, {ctx, frame});
//   CallTotals lifetime = stack->totals();
#pragma once

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/hybrid/fallback_chain.hpp>
#include <pipeline/hybrid/provider_cooldown.hpp>
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

std::unique_ptr<CompletionStack> make_completion_stack(
    std::shared_ptr<const ProviderRoutes> routes, std::shared_ptr<CacheManager> cache,
    std::shared_ptr<const FallbackChain> chain = nullptr,
    std::shared_ptr<ProviderCooldown> cooldown = nullptr);

}  // namespace pipeline
