// The performance monitor: takes one StepRecord per step execution and hands it to every
// configured metrics sink, off the step's thread. record() only appends to a bounded queue (a
// full queue drops the record and counts it); one worker thread drains the queue into the sinks
// and flushes them when it catches up. A sink that fails or is slow never fails or slows a run:
// its errors are counted per sink and logged once, and a slow sink only fills the queue.
//
//   PerformanceMonitor monitor(std::move(sinks), {.queue_size = 10000});
//   monitor.record(step_record);                  // from any thread; never waits on a sink
//   monitor.flush(std::chrono::seconds(2));       // at exit: false when time ran out
//   MonitorStats s = monitor.stats();             // recorded, written, dropped, per-sink errors
#pragma once

#include <pipeline/json.hpp>
#include <pipeline/monitor/memory_history.hpp>
#include <pipeline/monitor/step_record.hpp>
#include <pipeline/plugins/instances.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pipeline {

// A metrics sink instance under its name in the host config (metrics.sinks.<name>).
struct MonitorSink {
  std::string name;
  std::shared_ptr<const MetricsSinkInstance> instance;
};

struct SinkStats {
  std::string name;
  std::uint64_t written = 0;  // records the sink accepted
  std::uint64_t errors = 0;   // record and flush calls that failed
  std::string last_error;
};

struct MonitorStats {
  std::uint64_t recorded = 0;  // accepted into the queue
  std::uint64_t written = 0;   // taken off the queue and handed to every sink
  std::uint64_t dropped = 0;   // the queue was full, or still held them when the monitor stopped
  std::uint64_t queued = 0;    // waiting now
  std::vector<SinkStats> sinks;
  std::uint64_t sink_errors() const;
  json::object to_json() const;
};

class PerformanceMonitor {
 public:
  struct Options {
    std::size_t queue_size = 10000;
    // Receives every record at once, on the recording thread (the history of a runtime with no
    // history sink); may be null.
    std::shared_ptr<MemoryHistory> memory = nullptr;
  };

  PerformanceMonitor(std::vector<MonitorSink> sinks, Options options);
  // Stops the worker: records still queued are dropped (and counted); the sink call in flight
  // finishes first. Call flush() before, to deliver them.
  ~PerformanceMonitor();
  PerformanceMonitor(const PerformanceMonitor&) = delete;
  PerformanceMonitor& operator=(const PerformanceMonitor&) = delete;

  // Thread-safe; never waits for a sink.
  void record(StepRecord record);
  // Waits until every record accepted before the call was handed to the sinks and the sinks
  // were flushed, or until `timeout`. False when time ran out (the records stay queued).
  bool flush(std::chrono::milliseconds timeout);
  // Stops the worker now (what is still queued is dropped and counted; the sink call in flight
  // finishes first). Later records are dropped too. Idempotent; the destructor calls it.
  void close();
  std::uint64_t dropped() const { return dropped_.load(); }
  MonitorStats stats() const;
  const std::vector<MonitorSink>& sinks() const { return sinks_; }

 private:
  struct SinkState {
    std::atomic<std::uint64_t> written{0};
    std::atomic<std::uint64_t> errors{0};
    std::mutex mu;  // last_error
    std::string last_error;
  };
  void run_worker();
  void deliver(const StepRecord& r);
  void flush_sinks();
  void sink_failed(std::size_t i, const char* call, const Status& st);

  std::vector<MonitorSink> sinks_;
  Options options_;
  std::vector<std::unique_ptr<SinkState>> states_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the worker waits for records, a flush request or stop
  std::condition_variable done_cv_;  // flush() waits for the worker to catch up
  std::deque<StepRecord> queue_;
  std::uint64_t accepted_ = 0;      // sequence number of the last accepted record
  std::uint64_t flushed_ = 0;       // every record up to this one is in the sinks, flushed
  std::uint64_t flush_wanted_ = 0;  // a flush() waits for records up to this one
  bool stop_ = false;
  std::atomic<bool> stopping_{false};  // read by the worker between records

  std::atomic<std::uint64_t> recorded_{0};
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<bool> drop_logged_{false};
  std::thread worker_;  // last: starts after everything it reads is constructed
};

}  // namespace pipeline
