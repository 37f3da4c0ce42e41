// The `mock` provider: deterministic offline completions for runs without keys, scripted replies
// (pattern -> reply, like pipeline_ex's mocks), latency, and injected failures for fallback tests.
#include <pipeline/plugin.hpp>
#include <pipeline/sdk/json_parse.hpp>
#include <pipeline/sdk/regex.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;
using pipeline::sdk::ProviderError;

namespace {

struct ScriptedReply {
  pipeline::Regex pattern;
  std::string source;
  std::string reply;
};

// When and how calls fail: from call number `after_calls` on, a `rate` share of calls (chosen by
// a seeded hash of the call number, so runs repeat), at most `count` times (-1: no limit).
struct FailurePlan {
  int64_t after_calls = 0;
  double rate = 0.0;
  int64_t count = -1;
  uint64_t seed = 1;
  int32_t status = PL_UNAVAILABLE;
  std::string error_class = "server_error";
  int http_status = 503;
  int64_t retry_after_ms = -1;
  std::string message = "injected failure";
};

int32_t status_from_name(std::string_view n) {
  static const std::pair<const char*, int32_t> kNames[] = {
      {"CANCELLED", PL_CANCELLED},
      {"UNKNOWN", PL_UNKNOWN},
      {"INVALID_ARGUMENT", PL_INVALID_ARGUMENT},
      {"DEADLINE_EXCEEDED", PL_DEADLINE_EXCEEDED},
      {"NOT_FOUND", PL_NOT_FOUND},
      {"PERMISSION_DENIED", PL_PERMISSION_DENIED},
      {"RESOURCE_EXHAUSTED", PL_RESOURCE_EXHAUSTED},
      {"FAILED_PRECONDITION", PL_FAILED_PRECONDITION},
      {"INTERNAL", PL_INTERNAL},
      {"UNAVAILABLE", PL_UNAVAILABLE},
      {"UNAUTHENTICATED", PL_UNAUTHENTICATED},
  };
  for (auto& [name, code] : kNames) {
    if (n == name) return code;
  }
  throw Error(PL_INVALID_ARGUMENT, "mock: unknown failure status '" + std::string(n) + "'");
}

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

int64_t approx_tokens(std::size_t chars) {
  return static_cast<int64_t>((chars + 3) / 4);
}

class MockProvider : public pipeline::sdk::Provider {
 public:
  MockProvider(const pl_host_api* host, std::string_view config_json)
      : Provider(host, config_json) {
    json::value cfg = config_json.empty() ? json::object() : pipeline::sdk::parse_json(config_json);
    if (!cfg.is_object()) throw Error(PL_INVALID_ARGUMENT, "mock: config must be an object");
    const auto& o = cfg.get_object();
    if (auto* v = o.if_contains("latency_ms")) latency_ms_ = v->to_number<int64_t>();
    if (auto* v = o.if_contains("model")) model_ = json::value_to<std::string>(*v);
    if (auto* v = o.if_contains("default_reply")) default_reply_ = json::value_to<std::string>(*v);
    if (auto* v = o.if_contains("replies")) {
      for (const auto& r : v->as_array()) {
        const auto& ro = r.as_object();
        std::string pattern = json::value_to<std::string>(ro.at("match"));
        const json::value& reply = ro.at("reply");
        pipeline::Regex re = pipeline::Regex::compile(pattern);
        if (!re.ok()) throw Error(PL_INVALID_ARGUMENT, "mock: reply pattern: " + re.error());
        replies_.push_back(
            {std::move(re), pattern,
             reply.is_string() ? std::string(reply.get_string()) : json::serialize(reply)});
      }
    }
    if (auto* v = o.if_contains("failures")) {
      const auto& f = v->as_object();
      if (auto* x = f.if_contains("after_calls")) failures_.after_calls = x->to_number<int64_t>();
      if (auto* x = f.if_contains("rate")) failures_.rate = x->to_number<double>();
      if (auto* x = f.if_contains("count")) failures_.count = x->to_number<int64_t>();
      if (auto* x = f.if_contains("seed")) failures_.seed = x->to_number<uint64_t>();
      if (auto* x = f.if_contains("status")) {
        failures_.status = status_from_name(json::value_to<std::string>(*x));
      }
      if (auto* x = f.if_contains("class")) failures_.error_class = json::value_to<std::string>(*x);
      if (auto* x = f.if_contains("http_status")) failures_.http_status = x->to_number<int>();
      if (auto* x = f.if_contains("retry_after_ms")) {
        failures_.retry_after_ms = x->to_number<int64_t>();
      }
      if (auto* x = f.if_contains("message")) failures_.message = json::value_to<std::string>(*x);
      fail_enabled_ = failures_.rate > 0.0;
    }
  }

  std::string complete(const CallContext& ctx, std::string_view request_json) override {
    auto started = std::chrono::steady_clock::now();
    json::value req = pipeline::sdk::parse_json(request_json);
    const auto& r = req.as_object();
    int64_t call = calls_.fetch_add(1);

    wait(ctx);
    if (should_fail(call)) {
      throw ProviderError(failures_.status, failures_.error_class, failures_.message,
                          failures_.http_status, failures_.retry_after_ms);
    }

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

  bool should_fail(int64_t call) {
    if (!fail_enabled_ || call < failures_.after_calls) return false;
    double draw =
        static_cast<double>(fnv1a(std::to_string(call), failures_.seed * 0x9e3779b97f4a7c15ull) %
                            1000000) /
        1e6;
    if (draw >= failures_.rate) return false;
    if (failures_.count < 0) return true;
    return failed_.fetch_add(1) < failures_.count;
  }

  std::string reply_for(const std::string& prompt, const json::object& req) const {
    for (const auto& r : replies_) {
      if (r.pattern.search(prompt)) return r.reply;
    }
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

  int64_t latency_ms_ = 0;
  std::string model_ = "mock-1";
  std::string default_reply_;
  std::vector<ScriptedReply> replies_;
  FailurePlan failures_;
  bool fail_enabled_ = false;
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> failed_{0};
};

}  // namespace

PIPELINE_PLUGIN("mock", "1.0.0", "Deterministic offline LLM provider with scripted replies") {
  r.add_provider<MockProvider>("mock", "1.0.0", PL_FLAG_CONCURRENT,
                               "Deterministic offline completions, scripted replies, latency and "
                               "injected failures");
}
