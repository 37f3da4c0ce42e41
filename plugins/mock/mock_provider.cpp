// The `mock` provider: deterministic offline completions for runs without keys, scripted replies
// (pattern -> reply, like pipeline_ex's mocks), latency, injected failures for fallback tests, and
// a simulation mode (simulated_model.hpp) whose answers depend on the prompt the way a model's
// would, for showing optimizers offline.
#include "failure_plan.hpp"
#include "prompt_hash.hpp"
#include "scripted_replies.hpp"
#include "simulated_model.hpp"

#include <pipeline/plugin.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;
using pipeline::sdk::ProviderError;

namespace pipeline::mock {

namespace {

int64_t approx_tokens(std::size_t chars) {
  return static_cast<int64_t>((chars + 3) / 4);
}

SimulationSettings simulation_from(const json::object& o) {
  const auto* v = o.if_contains("simulate");
  return v ? SimulationSettings::from_config(*v) : SimulationSettings{};
}

class MockProvider : public pipeline::sdk::Provider {
 public:
  MockProvider(const pl_host_api* host, std::string_view config_json)
      : Provider(host, config_json), sim_(simulation_from(config(config_json).as_object())) {
    json::value cfg = config(config_json);
    const auto& o = cfg.get_object();
    if (auto* v = o.if_contains("latency_ms")) latency_ms_ = v->to_number<int64_t>();
    if (auto* v = o.if_contains("model")) {
      model_ = json::value_to<std::string>(*v);
    } else if (sim_.enabled()) {
      model_ = "mock-simulated-1";  // labelled as a simulation wherever the model is shown
    }
    if (auto* v = o.if_contains("default_reply")) default_reply_ = json::value_to<std::string>(*v);
    if (auto* v = o.if_contains("replies")) replies_ = ScriptedReplies(v->as_array());
    if (auto* v = o.if_contains("failures")) failures_.configure(v->as_object());
  }

  std::string complete(const CallContext& ctx, std::string_view request_json) override {
    auto started = std::chrono::steady_clock::now();
    json::value req = pipeline::sdk::parse_json(request_json);
    const auto& r = req.as_object();
    int64_t call = calls_.fetch_add(1);

    wait(ctx);
    if (failures_.should_fail(call)) throw failures_.error();

    std::string prompt;
    std::size_t input_chars = 0;
    if (auto* sys = r.if_contains("system"); sys && sys->is_string()) {
      input_chars += sys->get_string().size();
    }
    if (auto* msgs = r.if_contains("messages")) {
      for (const auto& m : msgs->as_array()) {
        const auto* content = m.as_object().if_contains("content");
        std::string text = content && content->is_string() ? std::string(content->get_string())
                           : content                       ? json::serialize(*content)
                                                           : std::string();
        input_chars += text.size();
        if (json::value_to<std::string>(m.as_object().at("role")) == "user") prompt = text;
      }
    }
    std::string model = model_;
    if (auto* m = r.if_contains("model"); m && m->is_string() && !m->get_string().empty()) {
      model = std::string(m->get_string());
    }
    std::string text = reply_for(prompt, r);

    bool stream = false;
    if (auto* s = r.if_contains("stream"); s && s->is_bool()) stream = s->get_bool();
    if (stream) {
      for (std::size_t i = 0; i < text.size(); i += 16) {
        if (!ctx.emit("text_delta", std::string_view(text).substr(i, 16))) {
          throw ProviderError(PL_CANCELLED, "cancelled", "stream cancelled by the consumer");
        }
      }
    }

    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    json::object out;
    out["text"] = text;
    out["finish_reason"] = "stop";
    out["input_tokens"] = approx_tokens(input_chars);
    out["output_tokens"] = approx_tokens(text.size());
    out["model"] = model;
    out["latency_ms"] = static_cast<double>(elapsed.count()) / 1000.0;
    out["request_id"] = "mock-" + std::to_string(fnv1a(request_json) % 1000000007ull);
    out["cost_usd"] = 0.0;
    return json::serialize(out);
  }

 private:
  static json::value config(std::string_view config_json) {
    json::value cfg = config_json.empty() ? json::object() : pipeline::sdk::parse_json(config_json);
    if (!cfg.is_object()) throw Error(PL_INVALID_ARGUMENT, "mock: config must be an object");
    return cfg;
  }

  void wait(const CallContext& ctx) const {
    // Sleep in slices so a cancelled run or a passed deadline does not wait out the latency.
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(latency_ms_);
    while (std::chrono::steady_clock::now() < until) {
      if (ctx.cancelled()) throw ProviderError(PL_CANCELLED, "cancelled", "call cancelled");
      if (ctx.deadline_ms_left() == 0) {
        throw ProviderError(PL_DEADLINE_EXCEEDED, "timeout", "deadline passed while waiting");
      }
      auto left = until - std::chrono::steady_clock::now();
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(5)));
    }
  }

  std::string reply_for(const std::string& prompt, const json::object& req) const {
    // Scripted replies first, so a test can pin one answer of a simulated run.
    if (auto scripted = replies_.reply_for(prompt)) return *scripted;
    if (auto simulated = sim_.reply(req, prompt)) return *simulated;
    if (!default_reply_.empty()) return default_reply_;
    // A JSON request gets a JSON object so downstream extraction has something to read.
    if (auto* f = req.if_contains("response_format"); f && !f->is_null()) {
      json::object o;
      o["mock"] = true;
      o["summary"] = summarize(prompt);
      return json::serialize(o);
    }
    return "Mock response to: " + summarize(prompt);
  }

  static std::string summarize(const std::string& prompt) {
    std::string s;
    for (char c : prompt) {
      s += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
      if (s.size() >= 160) {
        s += "...";
        break;
      }
    }
    return s;
  }

  SimulatedModel sim_;
  int64_t latency_ms_ = 0;
  std::string model_ = "mock-1";
  std::string default_reply_;
  ScriptedReplies replies_;
  FailurePlan failures_;
  std::atomic<int64_t> calls_{0};
};

}  // namespace

}  // namespace pipeline::mock

PIPELINE_PLUGIN("mock", "1.0.0", "Deterministic offline LLM provider with scripted replies") {
  r.add_provider<pipeline::mock::MockProvider>(
      "mock", "1.0.0", PL_FLAG_CONCURRENT,
      "Deterministic offline completions, scripted replies, latency, injected failures and a "
      "documented simulation mode");
}
