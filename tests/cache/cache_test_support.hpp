// Shared helpers of the cache tests: a PluginHost with the three cache-backend plugins loaded
// from the build (the real .so files, through the real loader), and a temporary directory.
#pragma once

#include <pipeline/plugins/plugin_host.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace pipeline::testing {

inline std::unique_ptr<PluginHost> cache_plugin_host() {
  auto host = std::make_unique<PluginHost>();
  for (const char* name : {"cache_memory", "cache_sqlite", "cache_redis"}) {
    const auto file =
        std::filesystem::path(PIPELINE_PLUGIN_DIR) / (std::string("libpipeline_") + name + ".so");
    Status st = host->load_file(file);
    EXPECT_TRUE(st.ok()) << st.to_string();
  }
  return host;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pipeline-cache-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    if (made != nullptr) path_ = made;
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

// Polls `done` every few milliseconds for up to `limit` (tests never assert timings; they wait
// for a state).
template <class F>
bool eventually(F&& done, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace pipeline::testing
