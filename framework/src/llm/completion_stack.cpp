#include <pipeline/llm/completion_stack.hpp>
#include <pipeline/llm/fallback_layer.hpp>
#include <pipeline/llm/provider_layer.hpp>
#include <pipeline/llm/recording_layer.hpp>
#include <pipeline/llm/response_cache_layer.hpp>

namespace pipeline {

std::unique_ptr<CompletionStack> make_completion_stack(std::shared_ptr<const ProviderRoutes> routes,
                                                       std::shared_ptr<CacheManager> cache,
                                                       std::shared_ptr<const FallbackChain> chain,
                                                       std::shared_ptr<ProviderCooldown> cooldown) {
  std::unique_ptr<Completion> layer = std::make_unique<ProviderLayer>(routes);
  if (cache) {
    layer = std::make_unique<ResponseCacheLayer>(std::move(layer), routes, std::move(cache));
  }
  // No provider entries: no layer at all, so a config without them calls exactly as before.
  if (chain && chain->has_provider_hops()) {
    layer = std::make_unique<FallbackLayer>(std::move(layer), routes, std::move(chain),
                                            std::move(cooldown));
  }
  auto metering = std::make_unique<MeteringLayer>(std::move(layer));
  const MeteringLayer& meter = *metering;
  auto top = std::make_unique<RecordingLayer>(std::move(metering));
  return std::make_unique<CompletionStack>(std::move(top), meter);
}

}  // namespace pipeline
