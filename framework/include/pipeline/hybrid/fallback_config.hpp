// The host config's `fallback:` section, typed and validated (docs/config.md "Fallback"):
//
//   fallback:
//     chain: [dspy_optimized, traditional, {provider: backup}, cached_response]
//     on: [auth]                                   # classes that fall back though they'd propagate
//     cooldown: {failures: 3, window_seconds: 60, seconds: 30}
//
// With no section the chain is the architecture's own, [dspy_optimized, traditional], with no
// provider entries and no cooldown: provider calls behave exactly as without a chain.
//
//   FallbackConfig f = parse_fallback_config(root["fallback"], "host.yaml", diags);
//   check_fallback_providers(f, {"primary", "backup"}, diags);   // after every provider is known
#pragma once

#include <pipeline/config/diagnostics.hpp>

#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pipeline {

struct FallbackEntry {
  enum class Kind {
    kVariant,         // run the step as `name` (traditional | dspy_optimized)
    kProvider,        // ask provider instance `name` (providers.<name>) instead
    kCachedResponse,  // answer with the step's last successful output for the same inputs
  };
  Kind kind = Kind::kVariant;
  std::string name;  // the variant, the provider instance, or "cached_response"
  SourceLocation where{};

  bool operator==(const FallbackEntry& o) const { return kind == o.kind && name == o.name; }
};

// A provider that fails `failures` times (provider classes) within `window_seconds` is skipped
// for `seconds`.
struct CooldownConfig {
  int failures = 3;
  double window_seconds = 60;
  double seconds = 30;
};

struct FallbackConfig {
  std::vector<FallbackEntry> chain;
  std::set<std::string> on;
  std::optional<CooldownConfig> cooldown;
  bool declared = false;  // a `fallback:` section was given (else the built-in chain)
  SourceLocation where{};

  // [dspy_optimized, traditional]: DSPy unavailable, optimization failed or timeout fall back
  // to the step as written; everything else propagates.
  static FallbackConfig builtin();
  // The provider entries' instance names, in chain order.
  std::vector<std::string> providers() const;
  bool has_cached_response() const;
};

// Reads `fallback:`; every problem goes to `diags` with its file:line:col (an unknown entry or
// class is an error, an unknown key a warning). What was valid is kept.
FallbackConfig parse_fallback_config(const YAML::Node& node, const std::string& file,
                                     Diagnostics& diags);
// Every provider entry must name a declared instance (`declared`: the providers.<name> keys).
void check_fallback_providers(const FallbackConfig& config, const std::set<std::string>& declared,
                              Diagnostics& diags);

}  // namespace pipeline
