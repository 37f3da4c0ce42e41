// What one LLM call was (CallRecord), sums of calls (CallTotals) and the thread-safe log a step
// keeps of its calls (CallLog). The layers fill a CallRecord on the way back up the stack; the
// recording layer adds it to the frame's CallLog; the executor turns a step's log into the
// step's execution record, and a run's totals are the sum of its steps.
//
//   CallLog loop_log;                 // a for_loop step
//   CallLog body_log(&loop_log);      // a sub-step: its calls count for the loop step too
//   body_log.add(record);
//   CallTotals t = loop_log.totals();
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace pipeline {

// One move along the fallback chain: from a variant or provider instance to the next, because
// of an error of `error_class` (docs/abi.md) with `message`.
struct FallbackHop {
  std::string from;
  std::string to;
  std::string error_class;
  std::string message;
};

struct CallRecord {
  std::string provider;     // the provider instance that answered (or failed)
  std::string model;        // as reported by the provider
  std::string error_class;  // docs/abi.md error class; empty on success
  bool failed = false;
  bool cache_hit = false;  // answered from the response cache: no provider call, no cost
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0.0;
  double latency_ms = 0.0;
  int64_t attempts = 0;  // provider attempts, retries included (0 for a cache hit)
  int64_t fallback_hops = 0;
};

struct CallTotals {
  int64_t calls = 0;       // provider calls (cache hits are not calls)
  int64_t cache_hits = 0;  // answered from the response cache: no provider call, no cost
  int64_t failures = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0.0;
  int64_t attempts = 0;
  int64_t fallback_hops = 0;
  double latency_ms = 0.0;  // summed over calls; parallel calls overlap in wall time

  void add(const CallRecord& r);
  void add(const CallTotals& t);
};

// The name the run result has always used for its totals.
using CompletionTotals = CallTotals;

class CallLog {
 public:
  explicit CallLog(CallLog* parent = nullptr) : parent_(parent) {}
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;

  // Thread-safe: a plugin may call host.complete() from several threads of one step.
  void add(const CallRecord& r);

  CallTotals totals() const;
  // The provider instance and model of the last answered call (empty when none answered).
  std::string provider() const;
  std::string model() const;
  // The error class of the last failed call (empty when none failed).
  std::string last_error_class() const;
  // Thread-safe. A hop of a sub-step counts for the step that ran it too (like its calls).
  void add_hop(const FallbackHop& hop);
  std::vector<FallbackHop> hops() const;

 private:
  CallLog* parent_;
  mutable std::mutex mu_;
  CallTotals totals_;
  std::string provider_;
  std::string model_;
  std::string last_error_class_;
  std::vector<FallbackHop> hops_;
};

}  // namespace pipeline
