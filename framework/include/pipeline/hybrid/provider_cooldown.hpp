// Provider cooldown: a provider instance that failed `failures` times with a provider class
// (rate_limited, overloaded, server_error, network) within `window_seconds` is skipped for
// `seconds`, so a run stops spending a retry budget on an instance that is down. Once the
// cooldown ends the instance starts afresh (its earlier failures are forgotten).
// Thread-safe: the calls of a parallel for_loop report into one cooldown. The clock is
// injectable so tests can step time instead of sleeping.
//
//   ProviderCooldown cooldown(CooldownConfig{.failures = 3, .window_seconds = 60, .seconds = 30});
//   if (!r.ok()) cooldown.record_failure("primary", error_class_of(r.error));
//   if (cooldown.cooling("primary")) ... ask the next provider entry ...
#pragma once

#include <pipeline/hybrid/fallback_config.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

class ProviderCooldown {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  explicit ProviderCooldown(CooldownConfig config, Now now = &Clock::now);

  // One failed call of `provider`. Classes other than the provider classes do not count (a bad
  // request fails anywhere, it says nothing about the instance). True when this failure starts
  // the instance's cooldown.
  bool record_failure(const std::string& provider, std::string_view error_class);
  // Seconds until `provider` may be asked again; 0 when it may be asked now.
  double remaining_seconds(const std::string& provider) const;
  bool cooling(const std::string& provider) const { return remaining_seconds(provider) > 0; }
  const CooldownConfig& config() const { return config_; }

 private:
  struct State {
    std::deque<Clock::time_point> failures;  // within the window, oldest first
    std::optional<Clock::time_point> until;  // cooling down until then
  };
  CooldownConfig config_;
  Now now_;
  mutable std::mutex mu_;
  mutable std::map<std::string, State> states_;
};

}  // namespace pipeline
