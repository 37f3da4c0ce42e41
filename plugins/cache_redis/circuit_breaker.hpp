// A circuit breaker: after `failure_threshold` consecutive failures calls are refused at once
// (costing an atomic load, not a connect timeout) for an open period that doubles after each
// failed probe, up to `open_max`. When the period is over exactly one caller is let through as a
// probe (half-open); its success closes the breaker, its failure reopens it.
//
//   if (!breaker.allow()) return unavailable;
//   ok ? breaker.on_success() : breaker.on_failure();
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace pipeline::cache_redis {

class CircuitBreaker {
 public:
  struct Options {
    int failure_threshold = 3;
    std::chrono::milliseconds open_initial{500};
    std::chrono::milliseconds open_max{10000};
  };
  enum class State : int { kClosed = 0, kOpen = 1, kHalfOpen = 2 };
  enum class Transition { kNone, kOpened, kClosed };

  explicit CircuitBreaker(Options options) : options_(options) {}

  // True when the call may go ahead (closed, or this caller is the half-open probe).
  bool allow();
  Transition on_success();
  Transition on_failure();
  // A call that was allowed ended without telling anything about the server: if it was the
  // half-open probe, the next caller may probe instead.
  void release_probe();
  State state() const { return static_cast<State>(state_.load(std::memory_order_acquire)); }
  // Milliseconds until the next probe may run (0 unless open).
  std::int64_t ms_until_probe() const;
  std::uint64_t times_opened() const { return times_opened_.load(std::memory_order_relaxed); }
  static const char* name(State s);

 private:
  static std::int64_t now_ns();
  void open_for(std::int64_t wait_ms);

  Options options_;
  std::atomic<int> state_{0};
  std::atomic<int> consecutive_failures_{0};
  std::atomic<std::int64_t> open_until_ns_{0};
  std::atomic<std::int64_t> current_wait_ms_{0};
  std::atomic<std::uint64_t> times_opened_{0};
};

}  // namespace pipeline::cache_redis
