// Shared helpers of the monitor tests: the fixture sinks and the sqlite sink loaded from the
// build through the real loader, a temporary folder, records to feed them, and a gate that keeps
// a fixture sink stuck for as long as a test holds it.
#pragma once

#include <pipeline/monitor/step_record.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

namespace pipeline::testing {

inline std::unique_ptr<PluginHost> sink_plugin_host() {
  auto host = std::make_unique<PluginHost>();
  for (const auto& file :
       {std::filesystem::path(PIPELINE_SINK_PLUGIN_DIR) / "libpipeline_fixture_sinks.so",
        std::filesystem::path(PIPELINE_PLUGIN_DIR) / "libpipeline_metrics_sqlite.so"}) {
    Status st = host->load_file(file);
    EXPECT_TRUE(st.ok()) << st.to_string();
  }
  return host;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "pipeline-monitor-XXXXXX").string();
    if (char* made = ::mkdtemp(tmpl.data()); made != nullptr) path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// While a Gate lives, a fixture sink configured with its file blocks in every record call.
class Gate {
 public:
  explicit Gate(std::filesystem::path file) : file_(std::move(file)) { std::ofstream(file_) << 1; }
  ~Gate() { open(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;
  void open() {
    std::error_code ec;
    std::filesystem::remove(file_, ec);
  }
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

inline StepRecord record_of(std::string workflow, std::string step, std::string variant,
                            std::int64_t unix_ms, std::optional<double> quality = std::nullopt) {
  StepRecord r;
  r.workflow = std::move(workflow);
  r.step = std::move(step);
  r.run_id = "run-" + std::to_string(unix_ms);
  r.episode = r.run_id;
  r.mode = "hybrid";
  r.variant = std::move(variant);
  r.signature_hash = "sig-a";
  r.provider = "mock";
  r.model = "mock-1";
  r.latency_ms = 10.5;
  r.input_tokens = 12;
  r.output_tokens = 3;
  r.cost_usd = 0.001;
  r.quality = quality;
  if (quality) r.metric = "exact_match";
  r.unix_ms = unix_ms;
  return r;
}

inline std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls `done` for up to `limit` (tests wait for a state; they never assert timings).
template <class F>
bool eventually(F&& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done();
}

}  // namespace pipeline::testing
