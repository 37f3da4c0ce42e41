#include <pipeline/optimize/lazy_optimizer.hpp>

#include <spdlog/spdlog.h>

namespace pipeline {

LazyOptimizer::~LazyOptimizer() {
  finish(std::chrono::steady_clock::now());
}

LazyOptimizer::Readiness LazyOptimizer::ensure(const Job& job) {
  // The lookup may read a cache level over the network: not under the lock.
  std::optional<CachedProgram> cached = job.lookup ? job.lookup() : std::nullopt;
  std::optional<std::string> past =
      job.past_failure ? job.past_failure() : std::optional<std::string>();
  std::lock_guard lock(mu_);
  Readiness r;
  if (cached) {
    const auto age = now_() - cached->created;
    const auto max_age = job.frequency.max_age(cached->unimproved);
    if (age <= max_age) {
      r.state = State::kReady;
      r.program = std::move(cached);
      return r;
    }
    r.state = State::kStale;
    r.program = std::move(cached);
    r.reason = "the program is older than its " + job.frequency.name() +
               " optimization_frequency allows; re-optimizing in the background";
    // A failed re-optimization leaves the stale program serving; it is not retried.
    if (!failed_.count(job.key) && !running_locked(job.key) && !past) start(job);
    return r;
  }
  if (auto f = failed_.find(job.key); f != failed_.end()) {
    r.state = State::kFailed;
    r.reason = f->second;
    return r;
  }
  if (past && !running_locked(job.key)) {
    r.state = State::kFailed;
    r.reason = *past;
    return r;
  }
  r.state = State::kOptimizing;
  r.reason = "no optimized program yet; optimizing in the background";
  if (!running_locked(job.key)) start(job);
  return r;
}

void LazyOptimizer::start(const Job& job) {
  auto& run = runs_[job.key];
  // A finished run's thread has left the lock behind: joining it here cannot deadlock.
  if (run.thread.joinable()) run.thread.join();
  run.done = false;
  auto optimize = job.optimize;
  std::string key = job.key;
  run.thread = std::jthread([this, optimize, key](std::stop_token stop) {
    Status st = optimize ? optimize(stop)
                         : Status(StatusCode::kFailedPrecondition, "no optimizer for " + key);
    std::lock_guard lock(mu_);
    if (!st.ok()) {
      spdlog::warn("background optimization of {} failed: {}", key, st.message());
      failed_[key] = "optimization failed: " + st.message();
    }
    if (auto it = runs_.find(key); it != runs_.end()) it->second.done = true;
    changed_.notify_all();
  });
}

bool LazyOptimizer::running(const std::string& key) const {
  std::lock_guard lock(mu_);
  return running_locked(key);
}

bool LazyOptimizer::running_locked(const std::string& key) const {
  auto it = runs_.find(key);
  return it != runs_.end() && !it->second.done;
}

bool LazyOptimizer::any_running() const {
  std::lock_guard lock(mu_);
  for (const auto& [k, r] : runs_)
    if (!r.done) return true;
  return false;
}

void LazyOptimizer::request_stop() {
  std::lock_guard lock(mu_);
  for (auto& [k, r] : runs_)
    if (!r.done) r.thread.request_stop();
}

int LazyOptimizer::finish(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  auto all_done = [&] {
    for (const auto& [k, r] : runs_)
      if (!r.done) return false;
    return true;
  };
  changed_.wait_until(lock, deadline, all_done);
  int stopped = 0;
  for (auto& [k, r] : runs_) {
    if (!r.done) {
      r.thread.request_stop();
      ++stopped;
    }
  }
  // Join outside the lock: the threads take it to mark themselves done.
  std::map<std::string, Run> runs = std::move(runs_);
  runs_.clear();
  lock.unlock();
  for (auto& [k, r] : runs)
    if (r.thread.joinable()) r.thread.join();
  return stopped;
}

}  // namespace pipeline
