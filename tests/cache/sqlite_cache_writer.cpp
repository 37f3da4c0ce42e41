// A separate process writing to a shared SQLite cache file through the real plugin, for the test
// that several processes sharing one file lose nothing (sqlite_shared_file_test.cpp).
//
//   sqlite_cache_writer DB PREFIX COUNT DELAY_MS
// puts PREFIX0..PREFIX<COUNT-1> (value "value of <key>"), sleeping DELAY_MS between puts, with the
// plugin's default file checks on, then reads every key back. Exit 0 when every put and read
// succeeded.
#include <pipeline/plugins/plugin_host.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: sqlite_cache_writer DB PREFIX COUNT DELAY_MS\n";
    return 2;
  }
  const std::string db = argv[1], prefix = argv[2];
  const int count = std::stoi(argv[3]);
  const int delay_ms = std::stoi(argv[4]);
  pipeline::PluginHost host;
  const auto plugin = std::filesystem::path(PIPELINE_PLUGIN_DIR) / "libpipeline_cache_sqlite.so";
  if (pipeline::Status st = host.load_file(plugin); !st.ok()) {
    std::cerr << st.to_string() << "\n";
    return 1;
  }
  // A generous busy timeout: this checks that nothing is lost, not how fast locks are given up.
  auto cache = host.create_cache("sqlite", R"({"path": ")" + db + R"(", "busy_timeout_ms": 5000})");
  if (!cache.ok()) {
    std::cerr << cache.status().to_string() << "\n";
    return 1;
  }
  int failures = 0;
  for (int i = 0; i < count; ++i) {
    const std::string key = prefix + std::to_string(i);
    if (pipeline::Status st = (*cache)->put(key, "value of " + key, 0); !st.ok()) {
      std::cerr << "put " << key << ": " << st.to_string() << "\n";
      ++failures;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  }
  for (int i = 0; i < count; ++i) {
    const std::string key = prefix + std::to_string(i);
    if ((*cache)->get(key).body != "value of " + key) {
      std::cerr << "get " << key << ": missing right after the writes\n";
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}
