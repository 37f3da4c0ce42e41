#include <pipeline/hybrid/provider_cooldown.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace pipeline {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand.
struct ManualClock {
  ProviderCooldown::Clock::time_point t{};
  ProviderCooldown::Now fn() {
    return [this] { return t; };
  }
};

TEST(ProviderCooldown, NFailuresWithinTheWindowStartACooldownThatExpires) {
  ManualClock clock;
  ProviderCooldown cd({.failures = 3, .window_seconds = 10, .seconds = 30}, clock.fn());
  EXPECT_FALSE(cd.record_failure("primary", "rate_limited"));
  clock.t += 1s;
  EXPECT_FALSE(cd.record_failure("primary", "overloaded"));
  EXPECT_FALSE(cd.cooling("primary"));
  clock.t += 1s;
  EXPECT_TRUE(cd.record_failure("primary", "server_error"));
  EXPECT_TRUE(cd.cooling("primary"));
  EXPECT_DOUBLE_EQ(cd.remaining_seconds("primary"), 30);
  EXPECT_FALSE(cd.cooling("backup")) << "per instance";
  clock.t += 29s;
  EXPECT_TRUE(cd.cooling("primary"));
  EXPECT_DOUBLE_EQ(cd.remaining_seconds("primary"), 1);
  clock.t += 1s;
  EXPECT_FALSE(cd.cooling("primary"));
  EXPECT_EQ(cd.remaining_seconds("primary"), 0);
}

TEST(ProviderCooldown, FailuresOlderThanTheWindowDoNotCount) {
  ManualClock clock;
  ProviderCooldown cd({.failures = 2, .window_seconds = 5, .seconds = 30}, clock.fn());
  EXPECT_FALSE(cd.record_failure("p", "network"));
  clock.t += 5s;  // the first failure is exactly one window old: out of it
  EXPECT_FALSE(cd.record_failure("p", "network"));
  EXPECT_FALSE(cd.cooling("p"));
  clock.t += 4s;
  EXPECT_TRUE(cd.record_failure("p", "network"));
  EXPECT_TRUE(cd.cooling("p"));
}

TEST(ProviderCooldown, OnlyProviderClassesCount) {
  ManualClock clock;
  ProviderCooldown cd({.failures = 1, .window_seconds = 60, .seconds = 30}, clock.fn());
  for (const char* c : {"auth", "invalid_request", "context_window", "timeout", "cancelled"}) {
    EXPECT_FALSE(cd.record_failure("p", c)) << c;
  }
  EXPECT_FALSE(cd.cooling("p"));
  EXPECT_TRUE(cd.record_failure("p", "rate_limited"));
}

TEST(ProviderCooldown, AfterACooldownTheInstanceStartsAfresh) {
  ManualClock clock;
  ProviderCooldown cd({.failures = 2, .window_seconds = 60, .seconds = 10}, clock.fn());
  cd.record_failure("p", "overloaded");
  EXPECT_TRUE(cd.record_failure("p", "overloaded"));
  // A failure while cooling (asked anyway: nothing else was left) does not extend it.
  clock.t += 5s;
  EXPECT_FALSE(cd.record_failure("p", "overloaded"));
  EXPECT_DOUBLE_EQ(cd.remaining_seconds("p"), 5);
  clock.t += 5s;
  EXPECT_FALSE(cd.cooling("p"));
  // The failures before the cooldown are forgotten: one new failure is not enough.
  EXPECT_FALSE(cd.record_failure("p", "overloaded"));
  EXPECT_FALSE(cd.cooling("p"));
  EXPECT_TRUE(cd.record_failure("p", "overloaded"));
}

TEST(ProviderCooldown, ConcurrentFailuresStartExactlyOneCooldown) {
  ManualClock clock;
  ProviderCooldown cd({.failures = 50, .window_seconds = 60, .seconds = 10}, clock.fn());
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (cd.record_failure("p", "rate_limited")) ++started;
        (void)cd.cooling("p");
      }
    });
  }
  for (auto& t : threads) t.join();
  // 200 failures at one instant: the 50th starts the cooldown, the rest arrive while cooling.
  EXPECT_EQ(started.load(), 1);
  EXPECT_TRUE(cd.cooling("p"));
}

}  // namespace
}  // namespace pipeline
