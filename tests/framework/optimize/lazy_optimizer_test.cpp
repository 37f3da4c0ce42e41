// LazyOptimizer: a step is never made to wait for an optimization; a missing program starts one
// (once per key), a stale one keeps serving while its replacement is optimized, a failure is
// remembered, and finish() stops what is still running at its deadline.
#include <pipeline/optimize/lazy_optimizer.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

namespace pipeline {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

// A store standing for the optimization cache: what the background job writes, lookup reads.
struct Store {
  std::mutex mu;
  std::optional<CachedProgram> program;
  std::optional<CachedProgram> get() {
    std::lock_guard l(mu);
    return program;
  }
  void put(json::value p, Clock::time_point at) {
    std::lock_guard l(mu);
    program = CachedProgram{std::move(p), at, 0};
  }
};

template <class Pred>
bool eventually(Pred p) {
  for (int i = 0; i < 500; ++i) {
    if (p()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return p();
}

TEST(LazyOptimizer, AMissingProgramStartsOneOptimizationAndTheStepDoesNotWait) {
  Store store;
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  LazyOptimizer lazy;
  LazyOptimizer::Job job{"step:a",
                         {},
                         [&] { return store.get(); },
                         [&](std::stop_token) {
                           ++runs;
                           while (!release) std::this_thread::sleep_for(1ms);
                           store.put(json::value("optimized"), Clock::now());
                           return Status{};
                         }};
  auto first = lazy.ensure(job);
  EXPECT_EQ(first.state, LazyOptimizer::State::kOptimizing);
  EXPECT_FALSE(first.program);
  EXPECT_NE(first.reason.find("optimizing in the background"), std::string::npos);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(lazy.ensure(job).state, LazyOptimizer::State::kOptimizing);
  release = true;
  ASSERT_TRUE(eventually([&] { return lazy.ensure(job).state == LazyOptimizer::State::kReady; }));
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(lazy.ensure(job).program->program, json::value("optimized"));
}

TEST(LazyOptimizer, AStaleProgramServesUntilItsReplacementIsStored) {
  Store store;
  const auto now = Clock::now();
  store.put(json::value("old"), now - 8 * 24h);  // weekly: eight days is stale
  std::atomic<bool> release{false};
  LazyOptimizer lazy([&] { return now; });
  LazyOptimizer::Job job{"step:a", *OptimizationFrequency::parse("weekly"),
                         [&] { return store.get(); },
                         [&](std::stop_token) {
                           while (!release) std::this_thread::sleep_for(1ms);
                           store.put(json::value("new"), now);
                           return Status{};
                         }};
  auto r = lazy.ensure(job);
  EXPECT_EQ(r.state, LazyOptimizer::State::kStale);
  ASSERT_TRUE(r.program);
  EXPECT_EQ(r.program->program, json::value("old"));
  EXPECT_TRUE(lazy.running("step:a"));
  release = true;
  ASSERT_TRUE(eventually([&] { return lazy.ensure(job).state == LazyOptimizer::State::kReady; }));
  EXPECT_EQ(lazy.ensure(job).program->program, json::value("new"));
}

TEST(LazyOptimizer, AProgramWithinItsFrequencyIsReadyAndStartsNothing) {
  Store store;
  const auto now = Clock::now();
  store.put(json::value("p"), now - 23h);
  std::atomic<int> runs{0};
  LazyOptimizer lazy([&] { return now; });
  LazyOptimizer::Job job{"k", *OptimizationFrequency::parse("daily"), [&] { return store.get(); },
                         [&](std::stop_token) {
                           ++runs;
                           return Status{};
                         }};
  EXPECT_EQ(lazy.ensure(job).state, LazyOptimizer::State::kReady);
  EXPECT_EQ(runs.load(), 0);
  EXPECT_FALSE(lazy.running("k"));
}

TEST(LazyOptimizer, AFailedOptimizationIsReportedAndNotRetried) {
  std::atomic<int> runs{0};
  LazyOptimizer lazy;
  LazyOptimizer::Job job{"k",
                         {},
                         [] { return std::optional<CachedProgram>{}; },
                         [&](std::stop_token) {
                           ++runs;
                           return Status(StatusCode::kInvalidArgument, "no training data");
                         }};
  lazy.ensure(job);
  ASSERT_TRUE(eventually([&] { return lazy.ensure(job).state == LazyOptimizer::State::kFailed; }));
  auto r = lazy.ensure(job);
  EXPECT_EQ(r.reason, "optimization failed: no training data");
  EXPECT_EQ(runs.load(), 1);
}

TEST(LazyOptimizer, AFailureAnEarlierRunRecordedStartsNothingAndIsReported) {
  std::atomic<int> runs{0};
  std::optional<std::string> past = "optimization failed 1 time(s): boom";
  LazyOptimizer lazy;
  LazyOptimizer::Job job{"k",
                         {},
                         [] { return std::optional<CachedProgram>{}; },
                         [&](std::stop_token) {
                           ++runs;
                           return Status();
                         },
                         [&] { return past; }};
  auto r = lazy.ensure(job);
  EXPECT_EQ(r.state, LazyOptimizer::State::kFailed);
  EXPECT_EQ(r.reason, *past);
  EXPECT_FALSE(lazy.running("k"));
  // Once it no longer holds (its inputs changed, its retry time came) the job starts.
  past.reset();
  EXPECT_EQ(lazy.ensure(job).state, LazyOptimizer::State::kOptimizing);
  lazy.finish(std::chrono::steady_clock::now() + 5s);
  EXPECT_EQ(runs.load(), 1);
}

TEST(LazyOptimizer, AStaleProgramWithARecordedFailureServesWithoutReoptimizing) {
  Store store;
  store.put(json::object{{"v", 1}}, Clock::now() - 240h);  // older than a week
  std::atomic<int> runs{0};
  LazyOptimizer lazy;
  LazyOptimizer::Job job{"k", OptimizationFrequency{}, [&] { return store.get(); },
                         [&](std::stop_token) {
                           ++runs;
                           return Status();
                         },
                         [] { return std::optional<std::string>("optimization failed: boom"); }};
  auto r = lazy.ensure(job);
  EXPECT_EQ(r.state, LazyOptimizer::State::kStale);
  ASSERT_TRUE(r.program);
  EXPECT_FALSE(lazy.running("k"));
  EXPECT_EQ(runs.load(), 0);
}

TEST(LazyOptimizer, FinishStopsWhatRunsPastTheDeadlineAndTheJobKeepsItsBest) {
  Store store;
  LazyOptimizer lazy;
  LazyOptimizer::Job job{"k",
                         {},
                         [&] { return store.get(); },
                         [&](std::stop_token stop) {
                           while (!stop.stop_requested()) std::this_thread::sleep_for(1ms);
                           store.put(json::value("best so far"), Clock::now());
                           return Status{};
                         }};
  lazy.ensure(job);
  EXPECT_EQ(lazy.finish(std::chrono::steady_clock::now() + 50ms), 1);
  EXPECT_FALSE(lazy.running("k"));
  ASSERT_TRUE(store.get());
  EXPECT_EQ(store.get()->program, json::value("best so far"));
}

TEST(LazyOptimizer, FinishWaitsForOptimizationsThatEndBeforeTheDeadline) {
  Store store;
  LazyOptimizer lazy;
  LazyOptimizer::Job job{"k",
                         {},
                         [&] { return store.get(); },
                         [&](std::stop_token stop) {
                           std::this_thread::sleep_for(30ms);
                           if (stop.stop_requested()) return Status(StatusCode::kCancelled, "x");
                           store.put(json::value("done"), Clock::now());
                           return Status{};
                         }};
  lazy.ensure(job);
  EXPECT_EQ(lazy.finish(std::chrono::steady_clock::now() + 10s), 0);
  ASSERT_TRUE(store.get());
}

TEST(LazyOptimizer, DistinctKeysOptimizeConcurrently) {
  std::atomic<int> inside{0}, most{0};
  LazyOptimizer lazy;
  auto make = [&](std::string key) {
    return LazyOptimizer::Job{key,
                              {},
                              [] { return std::optional<CachedProgram>{}; },
                              [&](std::stop_token stop) {
                                int n = ++inside;
                                int m = most.load();
                                while (n > m && !most.compare_exchange_weak(m, n)) {
                                }
                                while (!stop.stop_requested()) std::this_thread::sleep_for(1ms);
                                --inside;
                                return Status{};
                              }};
  };
  for (const char* k : {"a", "b", "c"}) lazy.ensure(make(k));
  EXPECT_TRUE(eventually([&] { return most.load() == 3; }));
  EXPECT_EQ(lazy.finish(std::chrono::steady_clock::now()), 3);
}

}  // namespace
}  // namespace pipeline
