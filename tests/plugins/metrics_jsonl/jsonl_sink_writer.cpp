// A separate process writing step records into the jsonl sink through the real plugin, until it
// is killed: the crash tests (metrics_jsonl_test.cpp) SIGKILL it in the middle of its writes.
//
//   jsonl_sink_writer CONFIG_JSON TAG [COUNT]
// records run_id TAG, unix_ms kFirstUnixMs + 0, 1, 2, ... (COUNT of them, default: forever),
// flushing every 1000 records as the monitor would when it catches up. Exit 0 after COUNT
// records; 1 on the first error (printed).
#include <pipeline/monitor/step_record.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <filesystem>
#include <iostream>
#include <limits>
#include <string>

#include "jsonl_sink_writer.hpp"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: jsonl_sink_writer CONFIG_JSON TAG [COUNT]\n";
    return 2;
  }
  const std::string config = argv[1], tag = argv[2];
  const std::int64_t count =
      argc == 4 ? std::stoll(argv[3]) : std::numeric_limits<std::int64_t>::max();
  pipeline::PluginHost host;
  const auto plugin = std::filesystem::path(PIPELINE_PLUGIN_DIR) / "libpipeline_metrics_jsonl.so";
  if (pipeline::Status st = host.load_file(plugin); !st.ok()) {
    std::cerr << st.to_string() << "\n";
    return 1;
  }
  auto sink = host.create_metrics_sink("jsonl", config);
  if (!sink.ok()) {
    std::cerr << sink.status().to_string() << "\n";
    return 1;
  }
  for (std::int64_t i = 0; i < count; ++i) {
    pipeline::StepRecord r = pipeline::testing::writer_record(tag, i);
    if (pipeline::Status st = (*sink)->record(pipeline::json::serialize(r.to_json())); !st.ok()) {
      std::cerr << "record " << i << ": " << st.to_string() << "\n";
      return 1;
    }
    if (i % 1000 == 999) {
      if (pipeline::Status st = (*sink)->flush(); !st.ok()) {
        std::cerr << "flush: " << st.to_string() << "\n";
        return 1;
      }
    }
  }
  return (*sink)->flush().ok() ? 0 : 1;
}
