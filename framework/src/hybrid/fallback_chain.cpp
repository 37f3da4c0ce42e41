#include <pipeline/hybrid/fallback_chain.hpp>

#include <algorithm>

namespace pipeline {

FallbackChain::FallbackChain(FallbackConfig config, bool enabled)
    : config_(std::move(config)), enabled_(enabled), providers_(config_.providers()) {}

FallbackAction FallbackChain::action(std::string_view error_class) const {
  return fallback_action(error_class, config_.on);
}

FallbackPosition FallbackChain::start(std::string_view variant) const {
  FallbackPosition at;
  at.variant = std::string(variant);
  for (std::size_t i = 0; i < config_.chain.size(); ++i) {
    const FallbackEntry& e = config_.chain[i];
    if (e.kind == FallbackEntry::Kind::kVariant && e.name == variant) {
      at.index = static_cast<int>(i);
      break;
    }
  }
  return at;
}

std::optional<FallbackMove> FallbackChain::next(const FallbackPosition& at,
                                                std::string_view error_class) const {
  if (!enabled_) return std::nullopt;
  const FallbackAction act = action(error_class);
  if (act == FallbackAction::kPropagate) return std::nullopt;
  for (std::size_t i = static_cast<std::size_t>(std::max(at.index + 1, 0));
       i < config_.chain.size(); ++i) {
    const FallbackEntry& e = config_.chain[i];
    switch (e.kind) {
      case FallbackEntry::Kind::kVariant:
        // A provider error is not the variant's fault: the other variant would hit it too.
        if (act == FallbackAction::kFallBack && e.name != at.variant) {
          return FallbackMove{e, {e.name, static_cast<int>(i)}};
        }
        break;
      case FallbackEntry::Kind::kProvider:
        break;  // used per call by the FallbackLayer
      case FallbackEntry::Kind::kCachedResponse:
        return FallbackMove{e, {at.variant, static_cast<int>(i)}};
    }
  }
  return std::nullopt;
}

std::optional<std::string> FallbackChain::next_provider(std::string_view current,
                                                        std::string_view error_class,
                                                        const std::set<std::string>& tried) const {
  if (!enabled_ || providers_.empty()) return std::nullopt;
  if (action(error_class) == FallbackAction::kPropagate) return std::nullopt;
  auto it = std::find(providers_.begin(), providers_.end(), current);
  it = it == providers_.end() ? providers_.begin() : std::next(it);
  for (; it != providers_.end(); ++it) {
    if (*it != current && !tried.count(*it)) return *it;
  }
  return std::nullopt;
}

}  // namespace pipeline
