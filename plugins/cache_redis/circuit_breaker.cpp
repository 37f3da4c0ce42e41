#include "circuit_breaker.hpp"

#include <algorithm>

namespace pipeline::cache_redis {

std::int64_t CircuitBreaker::now_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

const char* CircuitBreaker::name(State s) {
  switch (s) {
    case State::kClosed:
      return "closed";
    case State::kOpen:
      return "open";
    case State::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

bool CircuitBreaker::allow() {
  int s = state_.load(std::memory_order_acquire);
  if (s == static_cast<int>(State::kClosed)) return true;
  if (s == static_cast<int>(State::kHalfOpen)) return false;  // a probe is already running
  if (now_ns() < open_until_ns_.load(std::memory_order_acquire)) return false;
  // Exactly one caller wins the move to half-open and becomes the probe.
  return state_.compare_exchange_strong(s, static_cast<int>(State::kHalfOpen),
                                        std::memory_order_acq_rel);
}

CircuitBreaker::Transition CircuitBreaker::on_success() {
  consecutive_failures_.store(0, std::memory_order_relaxed);
  int prev = state_.exchange(static_cast<int>(State::kClosed), std::memory_order_acq_rel);
  if (prev == static_cast<int>(State::kClosed)) return Transition::kNone;
  current_wait_ms_.store(0, std::memory_order_relaxed);
  return Transition::kClosed;
}

void CircuitBreaker::open_for(std::int64_t wait_ms) {
  current_wait_ms_.store(wait_ms, std::memory_order_relaxed);
  open_until_ns_.store(now_ns() + wait_ms * 1'000'000, std::memory_order_release);
  state_.store(static_cast<int>(State::kOpen), std::memory_order_release);
}

CircuitBreaker::Transition CircuitBreaker::on_failure() {
  int s = state_.load(std::memory_order_acquire);
  if (s == static_cast<int>(State::kHalfOpen)) {
    // The probe failed: wait twice as long before the next one (backoff), capped.
    const std::int64_t next = std::min<std::int64_t>(
        std::max<std::int64_t>(current_wait_ms_.load(std::memory_order_relaxed) * 2,
                               options_.open_initial.count()),
        options_.open_max.count());
    open_for(next);
    return Transition::kNone;
  }
  if (s == static_cast<int>(State::kOpen)) return Transition::kNone;
  const int failures = consecutive_failures_.fetch_add(1, std::memory_order_acq_rel) + 1;
  if (failures < options_.failure_threshold) return Transition::kNone;
  // The deadline is set before the state flips, so no caller sees "open" with a stale deadline.
  current_wait_ms_.store(options_.open_initial.count(), std::memory_order_relaxed);
  open_until_ns_.store(now_ns() + options_.open_initial.count() * 1'000'000,
                       std::memory_order_release);
  int expected = static_cast<int>(State::kClosed);
  // Only the caller that actually opens the breaker reports it (one warning per outage).
  if (!state_.compare_exchange_strong(expected, static_cast<int>(State::kOpen),
                                      std::memory_order_acq_rel)) {
    return Transition::kNone;
  }
  times_opened_.fetch_add(1, std::memory_order_relaxed);
  return Transition::kOpened;
}

void CircuitBreaker::release_probe() {
  int expected = static_cast<int>(State::kHalfOpen);
  state_.compare_exchange_strong(expected, static_cast<int>(State::kOpen),
                                 std::memory_order_acq_rel);
}

std::int64_t CircuitBreaker::ms_until_probe() const {
  if (state() != State::kOpen) return 0;
  const std::int64_t left = open_until_ns_.load(std::memory_order_acquire) - now_ns();
  return left > 0 ? left / 1'000'000 : 0;
}

}  // namespace pipeline::cache_redis
