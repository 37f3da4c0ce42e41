// Which error classes move along the fallback chain, and how (issue 11 item 4, DESIGN.md
// section 7): the DSPy classes and timeout fall back to the next variant (the architecture's
// rule); the provider classes move to the next provider; everything else (auth,
// invalid_request, context_window, ...) fails anywhere, so it propagates unless the config's
// `on:` list names it. `cancelled` always propagates: a stopped run must stay stopped.
//
//   FallbackAction a = fallback_action("rate_limited", config.on);   // kNextProvider
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline {

enum class FallbackAction {
  kFallBack,      // any next entry: another variant, another provider, the cached response
  kNextProvider,  // another provider instance (or the cached response): the variant is not at fault
  kPropagate,     // the step fails with this error
};

// The class a hop records when a provider was skipped because it is cooling down.
inline constexpr std::string_view kCooldownClass = "cooldown";

// Every class an error can carry: docs/abi.md "Error" plus the DSPy layer's own
// (dspy_unavailable, optimization_failed) and step_error (a step that failed without a call).
const std::vector<std::string>& known_error_classes();
bool is_known_error_class(std::string_view error_class);
// rate_limited, overloaded, server_error, network: the provider is at fault, another may answer.
bool is_provider_class(std::string_view error_class);

// `on`: the classes the config lets fall back although they would propagate.
FallbackAction fallback_action(std::string_view error_class, const std::set<std::string>& on);

}  // namespace pipeline
