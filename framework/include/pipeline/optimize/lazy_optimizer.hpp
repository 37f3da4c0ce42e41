// Lazy optimization for the router: `ensure(job)` answers at once with the program a step can use
// now, and starts an optimization in the background when there is none yet or the one there has
// outlived its `optimization_frequency`. A stale program keeps serving until its replacement is
// stored. One optimization per key at a time; a failed one is not retried by the same process
// (its reason is reported instead, so the router can fall back as for `optimization_failed`), nor
// by a later one while the failure the job's `past_failure` reports holds.
//
//   LazyOptimizer lazy;
//   auto r = lazy.ensure({key, frequency, lookup, optimize});
//   if (r.program) run_optimized(*r.program); else run_traditionally();   // r.reason says why
//   lazy.finish(deadline);   // at exit: let running optimizations end, then stop the rest
#pragma once

#include <pipeline/config/dspy_config.hpp>
#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

namespace pipeline {

// A program as the optimization cache keeps it for a step.
struct CachedProgram {
  json::value program;  // DSPy's saved shape
  std::chrono::system_clock::time_point created;
  // adaptive frequency: consecutive re-optimizations that did not beat their predecessor.
  int unimproved = 0;
};

class LazyOptimizer {
 public:
  struct Job {
    std::string key;  // one per step and signature: identifies the optimization
    OptimizationFrequency frequency;
    // The newest stored program, if any (called on the caller's thread).
    std::function<std::optional<CachedProgram>()> lookup;
    // Optimizes and stores the result (so lookup() finds it), stopping early, keeping the best so
    // far, when `stop` is requested. Runs on a background thread.
    std::function<Status(std::stop_token stop)> optimize;
    // A failure an earlier process recorded and that still holds (its reason), if any: the job
    // is not started again, as if it had failed here (called on the caller's thread; may be
    // empty).
    std::function<std::optional<std::string>()> past_failure{};
  };

  enum class State {
    kReady,       // a fresh program
    kStale,       // an old program, serving while its replacement is optimized
    kOptimizing,  // no program yet; one is being optimized
    kFailed,      // no program, and this process's optimization of it failed
  };
  struct Readiness {
    State state = State::kOptimizing;
    std::optional<CachedProgram> program;  // set for kReady and kStale
    std::string reason;                    // why there is no (fresh) program
  };

  // `now` is injectable so staleness is testable without waiting days.
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  explicit LazyOptimizer(Clock now = [] { return std::chrono::system_clock::now(); })
      : now_(std::move(now)) {}
  ~LazyOptimizer();  // stops running optimizations and waits for them
  LazyOptimizer(const LazyOptimizer&) = delete;
  LazyOptimizer& operator=(const LazyOptimizer&) = delete;

  // Never waits for an optimization. Thread-safe.
  Readiness ensure(const Job& job);
  // True while an optimization of `key` runs.
  bool running(const std::string& key) const;
  // True while any optimization runs.
  bool any_running() const;
  // Asks every running optimization to stop, without waiting (any thread, e.g. on Ctrl-C).
  void request_stop();
  // Waits until every running optimization ended or `deadline` passed, then asks the rest to stop
  // (they keep their best so far) and waits for them. Returns the number that had to be stopped.
  int finish(std::chrono::steady_clock::time_point deadline);

 private:
  struct Run {
    std::jthread thread;
    bool done = false;
  };
  void start(const Job& job);                         // with mu_ held
  bool running_locked(const std::string& key) const;  // with mu_ held
  Clock now_;
  mutable std::mutex mu_;
  std::condition_variable_any changed_;
  std::map<std::string, Run> runs_;
  std::map<std::string, std::string> failed_;  // key -> reason
};

}  // namespace pipeline
