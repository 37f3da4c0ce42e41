#include <pipeline/hybrid/fallback_classes.hpp>

#include <algorithm>

namespace pipeline {

const std::vector<std::string>& known_error_classes() {
  static const std::vector<std::string> kClasses = {
      "dspy_unavailable", "optimization_failed", "timeout",        "rate_limited",
      "overloaded",       "server_error",        "network",        "auth",
      "invalid_request",  "context_window",      "content_filter", "bad_response",
      "cancelled",        "step_error"};
  return kClasses;
}

bool is_known_error_class(std::string_view error_class) {
  const auto& all = known_error_classes();
  return std::find(all.begin(), all.end(), error_class) != all.end();
}

bool is_provider_class(std::string_view c) {
  return c == "rate_limited" || c == "overloaded" || c == "server_error" || c == "network";
}

FallbackAction fallback_action(std::string_view c, const std::set<std::string>& on) {
  if (c == "cancelled") return FallbackAction::kPropagate;
  // Naming a provider class in `on` widens it too: then another variant may answer as well.
  if (c == "dspy_unavailable" || c == "optimization_failed" || c == "timeout" ||
      on.count(std::string(c))) {
    return FallbackAction::kFallBack;
  }
  if (is_provider_class(c) || c == kCooldownClass) return FallbackAction::kNextProvider;
  return FallbackAction::kPropagate;
}

}  // namespace pipeline
