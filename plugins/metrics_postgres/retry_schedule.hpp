// When to try the database again after a failure: a capped exponential backoff (initial, twice
// that, ... up to the cap), reset by a success. It only says whether an attempt is due, so a
// caller never sleeps: records keep arriving and wait in the buffer meanwhile.
//
//   RetrySchedule r(500ms, 30s);
//   if (r.due(now)) { if (try_connect()) r.succeeded(); else r.failed(now); }
#pragma once

#include <algorithm>
#include <chrono>

namespace pipeline::metrics_postgres {

class RetrySchedule {
 public:
  using Clock = std::chrono::steady_clock;

  RetrySchedule(std::chrono::milliseconds initial, std::chrono::milliseconds cap)
      : initial_(initial), cap_(std::max(cap, initial)), delay_(initial) {}

  bool due(Clock::time_point now) const { return now >= next_; }
  void failed(Clock::time_point now) {
    next_ = now + delay_;
    delay_ = std::min(delay_ * 2, cap_);
  }
  void succeeded() {
    delay_ = initial_;
    next_ = Clock::time_point::min();
  }
  // How long until the next attempt is due (0 when it is).
  std::chrono::milliseconds wait(Clock::time_point now) const {
    return next_ <= now ? std::chrono::milliseconds(0)
                        : std::chrono::duration_cast<std::chrono::milliseconds>(next_ - now);
  }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds cap_;
  std::chrono::milliseconds delay_;
  Clock::time_point next_ = Clock::time_point::min();
};

}  // namespace pipeline::metrics_postgres
