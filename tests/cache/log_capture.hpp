// Captures what the framework and plugins log through spdlog's default logger during one test,
// so a test can count warnings ("one warning per outage").
//
//   LogCapture logs;  ...;  EXPECT_EQ(logs.count(spdlog::level::warn, "redis"), 1);
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::testing {

class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<Sink>()) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Lines at `level` containing `needle`.
  std::size_t count(spdlog::level::level_enum level, std::string_view needle = {}) const {
    std::lock_guard lock(sink_->lines_mutex);
    return std::count_if(sink_->lines.begin(), sink_->lines.end(), [&](const auto& l) {
      return l.first == level && l.second.find(needle) != std::string::npos;
    });
  }
  std::string dump() const {
    std::lock_guard lock(sink_->lines_mutex);
    std::string out;
    for (const auto& l : sink_->lines) out += std::to_string(l.first) + " " + l.second + "\n";
    return out;
  }

 private:
  struct Sink : spdlog::sinks::base_sink<std::mutex> {
    std::mutex lines_mutex;
    std::vector<std::pair<spdlog::level::level_enum, std::string>> lines;
    void sink_it_(const spdlog::details::log_msg& msg) override {
      std::lock_guard lock(lines_mutex);
      lines.emplace_back(msg.level, std::string(msg.payload.data(), msg.payload.size()));
    }
    void flush_() override {}
  };
  std::shared_ptr<Sink> sink_;
};

}  // namespace pipeline::testing
