// The fallback chain's plan, pure logic: given where a step stands in the chain and the class of
// the error it failed with, the next entry to try or nothing (the error propagates). The chain
// runs forward from the entry of the variant that ran, never back.
//
// Two grains, one chain:
// - Provider entries apply to every LLM call, where it fails: the FallbackLayer of the
//   completion stack (llm/fallback_layer.hpp) asks next_provider() and re-sends just that call,
//   so a step with ten calls whose seventh is rate limited re-sends one call, not ten, and a
//   plugin's own host.complete() calls get the same treatment.
// - Variant and cached_response entries apply to the step: the hybrid strategy asks next()
//   after the step failed. next() skips provider entries, which the layer already used for
//   every call of the failed attempt.
//
//   FallbackChain chain(host_config.fallback, hybrid_config.fallback_enabled);
//   FallbackPosition at = chain.start("dspy_optimized");
//   while (step fails with class c) {
//     auto move = chain.next(at, c);            // nullopt: propagate
//     if (!move) return the error;
//     log.add_hop({at.variant, move->entry.name, c, message});
//     at = move->position;  ... run move->entry ...
//   }
#pragma once

#include <pipeline/hybrid/fallback_classes.hpp>
#include <pipeline/hybrid/fallback_config.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace pipeline {

struct FallbackPosition {
  std::string variant = "traditional";  // the variant that runs (or ran) at this position
  int index = -1;                       // the chain entry reached; -1: before the first
};

struct FallbackMove {
  FallbackEntry entry;
  FallbackPosition position;  // where the chain stands once `entry` runs
};

class FallbackChain {
 public:
  FallbackChain() : FallbackChain(FallbackConfig::builtin()) {}
  // `enabled`: hybrid_config.fallback_enabled; false turns every move off (errors propagate).
  explicit FallbackChain(FallbackConfig config, bool enabled = true);

  bool enabled() const { return enabled_; }
  const FallbackConfig& config() const { return config_; }
  // How this chain treats an error class (its `on:` list applied).
  FallbackAction action(std::string_view error_class) const;

  // The position of a step that runs `variant` first: at that variant's entry, else before the
  // whole chain.
  FallbackPosition start(std::string_view variant) const;
  // Step grain: the next variant or cached_response entry after `at` that handles
  // `error_class`; nullopt when the error propagates (or the chain is disabled).
  // A variant entry takes the fall-back classes (dspy_unavailable, optimization_failed, timeout,
  // and `on`) and is skipped when it is the variant that just failed; cached_response takes
  // every class that does not propagate.
  std::optional<FallbackMove> next(const FallbackPosition& at, std::string_view error_class) const;
  // Call grain: the provider instance to ask after `current` failed with `error_class` (or is
  // cooling down: kCooldownClass): the next provider entry after `current` in the chain (the
  // first one when `current` is not in it) that is not in `tried`; nullopt: the call fails.
  std::optional<std::string> next_provider(std::string_view current, std::string_view error_class,
                                           const std::set<std::string>& tried) const;
  // True when some call could hop (there are provider entries and the chain is enabled).
  bool has_provider_hops() const { return enabled_ && !providers_.empty(); }

 private:
  FallbackConfig config_;
  bool enabled_;
  std::vector<std::string> providers_;
};

}  // namespace pipeline
