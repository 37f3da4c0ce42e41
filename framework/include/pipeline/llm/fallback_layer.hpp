// The provider hops of the fallback chain: a call that fails with a provider class
// (rate_limited, overloaded, server_error, network; timeout; or a class the chain's `on:`
// names) is sent again to the chain's next `{provider: NAME}` entry, and a provider that is
// cooling down (hybrid/provider_cooldown.hpp) is skipped. Each hop is added to the step's
// CallLog (add_hop), counted in the call's CallRecord::fallback_hops and logged; a streaming
// caller gets a "fallback" event ({"from","to","class"}) before the next provider's text, so it
// can drop what the failed attempt streamed.
//
// Why a layer, not a provider override that the step strategy sets and re-runs the step with:
// the layer re-sends the one call that failed (a for_loop whose seventh call is rate limited
// re-sends one call, not seven), and it reaches every call, including those a plugin makes
// through host.complete(), without the strategy knowing the step's calls. It directs each hop
// with CallFrame::provider, which ProviderRoutes honours, so the layers below serve the
// instance the chain moved to.
//
// Why above the response cache (DESIGN.md sketches it below): each hop is a call to another
// instance and must be cached under that instance's identity. Below the cache, a backup's
// answer would be stored under the primary's key and later served as the primary's; above it,
// a rerun asks the primary first and finds the backup's answer cached under the backup.
// So the stack is recording -> metering -> fallback -> response cache -> provider.
//
//   FallbackLayer layer(std::move(cache_layer), routes, chain, cooldown);   // cooldown may be null
//   CallResult r = layer.complete(request, {ctx, frame, &record});  // record.fallback_hops
#pragma once

#include <pipeline/hybrid/fallback_chain.hpp>
#include <pipeline/hybrid/provider_cooldown.hpp>
#include <pipeline/llm/completion.hpp>
#include <pipeline/llm/provider_routes.hpp>

#include <memory>

namespace pipeline {

class FallbackLayer : public Completion {
 public:
  FallbackLayer(std::unique_ptr<Completion> next, std::shared_ptr<const ProviderRoutes> routes,
                std::shared_ptr<const FallbackChain> chain,
                std::shared_ptr<ProviderCooldown> cooldown);
  CallResult complete(std::string_view request_json, const CompletionCall& call) override;

 private:
  std::unique_ptr<Completion> next_;
  std::shared_ptr<const ProviderRoutes> routes_;
  std::shared_ptr<const FallbackChain> chain_;
  std::shared_ptr<ProviderCooldown> cooldown_;
};

}  // namespace pipeline
