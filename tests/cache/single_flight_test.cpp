#include <pipeline/cache/single_flight.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pipeline {
namespace {

TEST(SingleFlight, ConcurrentCallersWithOneKeyShareOneRun) {
  SingleFlight<int> flights;
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  constexpr int kCallers = 8;
  std::vector<std::thread> threads;
  std::vector<int> results(kCallers);
  std::atomic<int> shared{0};
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      auto out = flights.run("k", [&] {
        ++runs;
        while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return 42;
      });
      results[i] = out.value;
      if (out.shared) ++shared;
    });
  }
  // Every caller but the leader ends up waiting on the one flight.
  while (flights.waiting() < kCallers - 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  release = true;
  for (auto& t : threads) t.join();
  for (int r : results) EXPECT_EQ(r, 42);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(shared.load(), kCallers - 1);
  EXPECT_EQ(flights.in_flight(), 0u);
}

TEST(SingleFlight, AnExceptionReachesTheCallerAndTheNextCallRunsAgain) {
  SingleFlight<int> flights;
  EXPECT_THROW(flights.run("k", []() -> int { throw std::runtime_error("boom"); }),
               std::runtime_error);
  EXPECT_EQ(flights.run("k", [] { return 7; }).value, 7);
}

}  // namespace
}  // namespace pipeline
