#include <pipeline/monitor/performance_monitor.hpp>

#include <spdlog/spdlog.h>

namespace pipeline {

std::uint64_t MonitorStats::sink_errors() const {
  std::uint64_t n = 0;
  for (const auto& s : sinks) n += s.errors;
  return n;
}

json::object MonitorStats::to_json() const {
  json::object per_sink;
  for (const auto& s : sinks) {
    json::object o{{"written", s.written}, {"errors", s.errors}};
    if (!s.last_error.empty()) o["last_error"] = s.last_error;
    per_sink[s.name] = std::move(o);
  }
  return json::object{{"recorded", recorded},
                      {"written", written},
                      {"dropped", dropped},
                      {"queued", queued},
                      {"sinks", std::move(per_sink)}};
}

PerformanceMonitor::PerformanceMonitor(std::vector<MonitorSink> sinks, Options options)
    : sinks_(std::move(sinks)), options_(std::move(options)) {
  if (options_.queue_size == 0) options_.queue_size = 1;
  for (std::size_t i = 0; i < sinks_.size(); ++i) states_.push_back(std::make_unique<SinkState>());
  if (!sinks_.empty()) worker_ = std::thread([this] { run_worker(); });
}

PerformanceMonitor::~PerformanceMonitor() {
  close();
}

void PerformanceMonitor::close() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    stopping_ = true;
    dropped_ += queue_.size();
    queue_.clear();
  }
  work_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void PerformanceMonitor::record(StepRecord record) {
  if (sinks_.empty()) {
    if (options_.memory) options_.memory->add(std::move(record));  // nothing else needs it
    ++recorded_;
    return;
  }
  if (options_.memory) options_.memory->add(record);
  {
    std::lock_guard lock(mu_);
    if (stop_ || queue_.size() >= options_.queue_size) {
      ++dropped_;
      if (!drop_logged_.exchange(true)) {
        spdlog::warn(
            "performance monitor: the record queue is full ({} records; the sinks are slower "
            "than the steps); records are dropped and counted",
            options_.queue_size);
      }
      return;
    }
    queue_.push_back(std::move(record));
    ++accepted_;
  }
  ++recorded_;
  work_cv_.notify_one();
}

bool PerformanceMonitor::flush(std::chrono::milliseconds timeout) {
  if (sinks_.empty()) return true;
  std::unique_lock lock(mu_);
  const std::uint64_t target = accepted_;
  if (flushed_ >= target) return true;
  if (flush_wanted_ < target) flush_wanted_ = target;
  work_cv_.notify_one();
  return done_cv_.wait_for(lock, timeout, [&] { return flushed_ >= target || stop_; }) &&
         flushed_ >= target;
}

MonitorStats PerformanceMonitor::stats() const {
  MonitorStats s;
  s.recorded = recorded_;
  s.written = written_;
  s.dropped = dropped_;
  {
    std::lock_guard lock(mu_);
    s.queued = queue_.size();
  }
  for (std::size_t i = 0; i < sinks_.size(); ++i) {
    SinkStats st;
    st.name = sinks_[i].name;
    st.written = states_[i]->written;
    st.errors = states_[i]->errors;
    std::lock_guard lock(states_[i]->mu);
    st.last_error = states_[i]->last_error;
    s.sinks.push_back(std::move(st));
  }
  return s;
}

void PerformanceMonitor::run_worker() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || !queue_.empty() || flush_wanted_ > flushed_; });
    if (stop_) break;
    std::deque<StepRecord> batch;
    batch.swap(queue_);
    const std::uint64_t last = accepted_;
    lock.unlock();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (stopping_) {
        // The destructor is waiting: what is left is dropped, not delivered.
        dropped_ += batch.size() - i;
        break;
      }
      deliver(batch[i]);
    }
    lock.lock();
    // Flush when caught up (sinks batch their writes until then) or when someone waits.
    if (!stop_ && (queue_.empty() || flush_wanted_ > flushed_)) {
      lock.unlock();
      flush_sinks();
      lock.lock();
      flushed_ = last;
      done_cv_.notify_all();
    }
  }
  lock.unlock();
  flush_sinks();  // what was delivered is committed before the sinks go
  done_cv_.notify_all();
}

void PerformanceMonitor::deliver(const StepRecord& r) {
  const std::string doc = json::serialize(r.to_json());
  for (std::size_t i = 0; i < sinks_.size(); ++i) {
    Status st = sinks_[i].instance->record(doc);
    if (st.ok()) {
      ++states_[i]->written;
    } else {
      sink_failed(i, "record", st);
    }
  }
  ++written_;
}

void PerformanceMonitor::flush_sinks() {
  for (std::size_t i = 0; i < sinks_.size(); ++i) {
    if (Status st = sinks_[i].instance->flush(); !st.ok()) sink_failed(i, "flush", st);
  }
}

void PerformanceMonitor::sink_failed(std::size_t i, const char* call, const Status& st) {
  SinkState& s = *states_[i];
  // Logged once per sink: a sink that fails fails for every record, and the log is for people.
  if (s.errors++ == 0) {
    spdlog::warn("metrics sink '{}': {} failed: {}; its further errors are counted, not logged",
                 sinks_[i].name, call, st.message());
  }
  std::lock_guard lock(s.mu);
  s.last_error = std::string(call) + ": " + st.message();
}

}  // namespace pipeline
