#include "anthropic_provider.hpp"

#include "http_common/json_util.hpp"

namespace pipeline::plugins {

namespace ju = http::json_util;
namespace ec = http::error_class;

namespace {

// List prices in USD per million tokens, taken 2025-08-01 from anthropic.com/pricing.
// Override or extend them with the provider config's `prices`.
std::vector<http::ModelPrice> builtin_prices() {
  return {
      {"claude-opus-4", 15.0, 75.0},    {"claude-sonnet-4", 3.0, 15.0},
      {"claude-3-7-sonnet", 3.0, 15.0}, {"claude-3-5-sonnet", 3.0, 15.0},
      {"claude-3-5-haiku", 0.80, 4.0},  {"claude-3-opus", 15.0, 75.0},
      {"claude-3-haiku", 0.25, 1.25},
  };
}

http::ProviderDefaults defaults() {
  http::ProviderDefaults d;
  d.provider = "anthropic";
  d.base_url = "https://api.anthropic.com";
  d.api_key_env = "ANTHROPIC_API_KEY";
  d.model = "claude-sonnet-4-20250514";
  d.key_required = true;
  d.prices = builtin_prices();
  return d;
}

bool mentions_context_window(std::string_view m) {
  return m.find("prompt is too long") != std::string_view::npos ||
         m.find("context window") != std::string_view::npos ||
         m.find("context length") != std::string_view::npos;
}

class AnthropicStreamDecoder : public http::StreamDecoder {
 public:
  AnthropicStreamDecoder() : StreamDecoder("anthropic", "anthropic: the model refused to answer") {}

 protected:
  bool on_control(const http::SseEvent& ev) override { return ev.event == "ping"; }
  void on_json(const http::SseEvent&, const boost::json::object& o, std::string& delta) override {
    std::string_view type = ju::str(o, "type");
    if (type == "message_start") {
      if (const auto* m = ju::obj(o, "message")) {
        result_.request_id = std::string(ju::str(*m, "id"));
        result_.model = std::string(ju::str(*m, "model"));
        if (const auto* u = ju::obj(*m, "usage")) {
          result_.input_tokens = ju::num(*u, "input_tokens");
          result_.output_tokens = ju::num(*u, "output_tokens");
        }
      }
    } else if (type == "content_block_delta") {
      if (const auto* d = ju::obj(o, "delta");
          d != nullptr && ju::str(*d, "type") == "text_delta") {
        delta.append(ju::str(*d, "text"));
      }
    } else if (type == "message_delta") {
      if (const auto* d = ju::obj(o, "delta"))
        result_.finish_reason = anthropic_finish_reason(ju::str(*d, "stop_reason"));
      if (const auto* u = ju::obj(o, "usage")) {
        result_.output_tokens = ju::num(*u, "output_tokens", result_.output_tokens);
        if (ju::find(*u, "input_tokens") != nullptr)
          result_.input_tokens = ju::num(*u, "input_tokens", result_.input_tokens);
      }
    } else if (type == "message_stop") {
      finished_ = true;
    } else if (type == "error") {
      const auto* err = ju::obj(o, "error");
      throw http::FailureError(anthropic_failure(err ? *err : boost::json::object{}, 0));
    }
  }
};

}  // namespace

std::string anthropic_finish_reason(std::string_view r) {
  if (r == "end_turn" || r == "stop_sequence") return "stop";
  if (r == "max_tokens") return "length";
  if (r == "refusal") return "content_filter";
  if (r == "tool_use") return "tool_calls";
  return r.empty() ? "" : "other";
}

http::Failure anthropic_failure(const boost::json::object& error, long http_status) {
  std::string_view type = ju::str(error, "type");
  std::string_view message = ju::str(error, "message");
  std::string cls;
  if (type == "authentication_error" || type == "permission_error") {
    cls = ec::kAuth;
  } else if (type == "rate_limit_error") {
    cls = ec::kRateLimited;
  } else if (type == "overloaded_error") {
    cls = ec::kOverloaded;
  } else if (type == "api_error") {
    cls = ec::kServerError;
  } else if (type == "timeout_error") {
    cls = ec::kTimeout;
  } else if (type == "invalid_request_error" || type == "not_found_error" ||
             type == "request_too_large") {
    cls = mentions_context_window(message) ? ec::kContextWindow : ec::kInvalidRequest;
  } else {
    cls =
        http_status != 0 ? http::class_for_http_status(http_status) : std::string(ec::kServerError);
  }
  std::string text = "anthropic: " +
                     (http_status != 0 ? "HTTP " + std::to_string(http_status) + " "
                                       : std::string("stream error ")) +
                     std::string(type.empty() ? "error" : type) + ": " + std::string(message);
  return http::Failure{cls, static_cast<int>(http_status), -1, text};
}

AnthropicProvider::AnthropicProvider(const pl_host_api* host, std::string_view config_json)
    : HttpProvider(host, config_json, defaults(), {"anthropic_version"}) {
  anthropic_version_ = std::string(ju::str(config().raw, "anthropic_version"));
  if (anthropic_version_.empty()) anthropic_version_ = "2023-06-01";
}

http::HttpRequest AnthropicProvider::build_request(const http::ChatRequest& r) const {
  boost::json::object body;
  body["model"] = r.model;
  body["max_tokens"] = r.max_tokens;
  boost::json::array messages;
  for (const auto& m : r.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  body["messages"] = std::move(messages);
  if (!r.system.empty()) body["system"] = r.system;
  if (r.temperature) body["temperature"] = *r.temperature;
  if (r.top_p) body["top_p"] = *r.top_p;
  if (r.top_k) body["top_k"] = *r.top_k;
  if (!r.stop.empty()) {
    boost::json::array stop;
    for (const auto& s : r.stop) stop.emplace_back(s);
    body["stop_sequences"] = std::move(stop);
  }
  if (r.stream) body["stream"] = true;
  for (const auto& [k, v] : r.provider_options) body[k] = v;

  http::HttpRequest req;
  req.url = config().base_url + "/v1/messages";
  req.headers = {"x-api-key: " + config().api_key, "anthropic-version: " + anthropic_version_,
                 std::string("accept: ") + (r.stream ? "text/event-stream" : "application/json")};
  req.body = http::to_body(body);
  return req;
}

http::Completion AnthropicProvider::parse_response(const boost::json::object& o) const {
  if (ju::str(o, "type") == "error") {
    const auto* err = ju::obj(o, "error");
    throw http::FailureError(anthropic_failure(err ? *err : boost::json::object{}, 0));
  }
  const auto* content = ju::arr(o, "content");
  if (content == nullptr) throw bad_response("anthropic: reply has no 'content' array");
  http::Completion c;
  for (const auto& block : *content) {
    if (block.is_object() && ju::str(block.get_object(), "type") == "text")
      c.text.append(ju::str(block.get_object(), "text"));
  }
  c.finish_reason = anthropic_finish_reason(ju::str(o, "stop_reason"));
  http::reject_textless_refusal(c, !c.text.empty(), "anthropic: the model refused to answer");
  if (const auto* u = ju::obj(o, "usage")) {
    c.input_tokens = ju::num(*u, "input_tokens");
    c.output_tokens = ju::num(*u, "output_tokens");
  }
  c.model = std::string(ju::str(o, "model"));
  c.request_id = std::string(ju::str(o, "id"));
  return c;
}

std::unique_ptr<http::StreamDecoder> AnthropicProvider::make_stream_decoder() const {
  return std::make_unique<AnthropicStreamDecoder>();
}

http::Failure AnthropicProvider::parse_error(const http::HttpResponse& r) const {
  boost::system::error_code e;
  boost::json::value v = boost::json::parse(r.body, e);
  if (!e && v.is_object()) {
    if (const auto* err = ju::obj(v.get_object(), "error")) {
      http::Failure f = anthropic_failure(*err, r.status);
      f.message.erase(0, std::string_view("anthropic: ").size());  // the caller prefixes it
      return f;
    }
  }
  return HttpProvider::parse_error(r);
}

}  // namespace pipeline::plugins
