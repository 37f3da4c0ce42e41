#include <pipeline/hybrid/fallback_classes.hpp>
#include <pipeline/hybrid/provider_cooldown.hpp>

namespace pipeline {

namespace {

ProviderCooldown::Clock::duration seconds(double s) {
  return std::chrono::duration_cast<ProviderCooldown::Clock::duration>(
      std::chrono::duration<double>(s));
}

}  // namespace

ProviderCooldown::ProviderCooldown(CooldownConfig config, Now now)
    : config_(config), now_(std::move(now)) {}

bool ProviderCooldown::record_failure(const std::string& provider, std::string_view error_class) {
  if (!is_provider_class(error_class)) return false;
  const Clock::time_point t = now_();
  std::lock_guard lock(mu_);
  State& s = states_[provider];
  if (s.until) {
    if (t < *s.until) return false;  // asked anyway (nothing else left): no longer cooldown
    s.until.reset();
  }
  s.failures.push_back(t);
  const Clock::time_point horizon = t - seconds(config_.window_seconds);
  while (!s.failures.empty() && s.failures.front() <= horizon) s.failures.pop_front();
  if (static_cast<int>(s.failures.size()) < config_.failures) return false;
  s.failures.clear();
  s.until = t + seconds(config_.seconds);
  return true;
}

double ProviderCooldown::remaining_seconds(const std::string& provider) const {
  const Clock::time_point t = now_();
  std::lock_guard lock(mu_);
  auto it = states_.find(provider);
  if (it == states_.end() || !it->second.until) return 0;
  if (t >= *it->second.until) {
    it->second.until.reset();
    return 0;
  }
  return std::chrono::duration<double>(*it->second.until - t).count();
}

}  // namespace pipeline
