// Coalesces concurrent calls with the same key: the first caller (the leader) runs the function,
// the others wait for its result instead of running it again. Nothing is remembered after the
// call: a later caller runs the function anew (caching is someone else's job).
//
//   SingleFlight<Result<std::string>> flights;
//   auto [result, shared] = flights.run(key, [&] { return call_provider(); });
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace pipeline {

template <class T>
class SingleFlight {
 public:
  struct Outcome {
    T value;
    bool shared;  // true when this caller waited for another caller's run
  };

  // fn must not throw (wrap it); if it does, the exception reaches every waiter.
  template <class Fn>
  Outcome run(const std::string& key, Fn&& fn) {
    std::shared_ptr<Flight> flight;
    bool leader = false;
    {
      std::lock_guard lock(mutex_);
      auto [it, inserted] = flights_.try_emplace(key, nullptr);
      if (inserted) it->second = std::make_shared<Flight>();
      flight = it->second;
      leader = inserted;
    }
    if (!leader) {
      waiting_.fetch_add(1);
      std::unique_lock lock(flight->mutex);
      flight->done.wait(lock, [&] { return flight->finished; });
      waiting_.fetch_sub(1);
      if (flight->error) std::rethrow_exception(flight->error);
      return {*flight->value, true};
    }
    // Leaves the map before waking waiters, so a caller arriving later starts a new flight.
    auto finish = [&](std::optional<T> value, std::exception_ptr error) {
      {
        std::lock_guard lock(mutex_);
        flights_.erase(key);
      }
      {
        std::lock_guard lock(flight->mutex);
        flight->value = std::move(value);
        flight->error = error;
        flight->finished = true;
      }
      flight->done.notify_all();
    };
    try {
      T value = fn();
      finish(value, nullptr);
      return {std::move(value), false};
    } catch (...) {
      finish(std::nullopt, std::current_exception());
      throw;
    }
  }

  // Callers currently waiting for another caller's run (for stats and tests).
  std::size_t waiting() const { return waiting_.load(); }
  // Flights in progress (for stats and tests).
  std::size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return flights_.size();
  }

 private:
  struct Flight {
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    std::optional<T> value;
    std::exception_ptr error;
  };
  mutable std::mutex mutex_;
  std::atomic<std::size_t> waiting_{0};
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace pipeline
