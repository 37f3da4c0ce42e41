// jsonl_sink.cpp — a metrics sink: appends every execution record as one line to the file named
// by its `path` setting. Registered as `example_jsonl`: the host ships the real `jsonl` sink
// (plugins/metrics_jsonl: rotation, crash-safe lines), and two components may not share a name.
#include <pipeline/plugin.hpp>

#include <fstream>
#include <mutex>

class JsonlSink : public pipeline::sdk::MetricsSink {
 public:
  JsonlSink(const pl_host_api* host, std::string_view config) : MetricsSink(host, config) {
    // The config is {"path": "..."}; a real plugin would parse it with a JSON library.
    auto key = config.find("\"path\"");
    auto open = key == std::string_view::npos ? key : config.find('"', config.find(':', key));
    auto close = open == std::string_view::npos ? open : config.find('"', open + 1);
    if (close == std::string_view::npos)
      throw pipeline::sdk::Error(PL_INVALID_ARGUMENT, "needs 'path'");
    out_.open(std::string(config.substr(open + 1, close - open - 1)), std::ios::app);
    if (!out_) throw pipeline::sdk::Error(PL_UNAVAILABLE, "cannot open the file in 'path'");
  }

  void record(std::string_view record_json) override {
    std::lock_guard lock(mu_);  // registered concurrent: calls may come from several threads
    out_ << record_json << '\n';
  }
  void flush() override {
    std::lock_guard lock(mu_);
    out_.flush();
  }

 private:
  std::mutex mu_;
  std::ofstream out_;
};

// The config's JSON Schema; `pipeline plugins --check` creates the sink with its first example.
constexpr const char* kSchema = R"({"type": "object", "required": ["path"],
  "properties": {"path": {"type": "string"}}, "examples": [{"path": "/dev/null"}]})";

PIPELINE_PLUGIN("jsonl_sink", "1.0.0", "Writes execution records as JSON lines") {
  r.add_metrics_sink<JsonlSink>("example_jsonl", "1.0.0", PL_FLAG_CONCURRENT, "JSON lines file", kSchema);
}
