// OpenAI Chat Completions as the mock speaks it (POST /v1/chat/completions, SSE chunks ending in
// "data: [DONE]", usage in a final chunk when stream_options.include_usage is set).
#include <algorithm>

#include "wire_format.hpp"

namespace pipeline::testing {

namespace {

namespace json = boost::json;

class OpenAiWire : public WireFormat {
 public:
  std::string_view name() const override { return "openai"; }

  AuthCheck check_auth(const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& expected) const override {
    if (expected.empty()) return {};
    std::string auth = header_value(headers, "authorization");
    if (auth.rfind("Bearer ", 0) != 0)
      return {false,
              "You didn't provide an API key. You need to provide your API key in an "
              "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."};
    std::string key = auth.substr(7);
    // The real API masks most of the key here; the mock echoes it whole on purpose, so tests
    // prove that providers redact keys from server messages.
    if (key != expected) return {false, "Incorrect API key provided: " + key + "."};
    return {};
  }

  std::optional<std::string> validate(const json::object& b, bool) const override {
    auto model = b.if_contains("model");
    if (model == nullptr || !model->is_string()) return "you must provide a model parameter";
    auto messages = b.if_contains("messages");
    if (messages == nullptr || !messages->is_array() || messages->get_array().empty())
      return "[] is too short - 'messages'";
    for (const auto& m : messages->get_array()) {
      if (!m.is_object()) return "Invalid type for 'messages'";
      auto role = m.get_object().if_contains("role");
      static const char* roles[] = {"system", "developer", "user", "assistant", "tool"};
      if (role == nullptr || !role->is_string() ||
          std::none_of(std::begin(roles), std::end(roles),
                       [&](const char* r) { return role->get_string() == r; }))
        return "Invalid value for 'messages.role'";
    }
    bool stream = false;
    if (auto s = b.if_contains("stream"); s != nullptr) {
      if (!s->is_bool()) return "Invalid type for 'stream'";
      stream = s->get_bool();
    }
    if (b.if_contains("stream_options") != nullptr && !stream)
      return "The 'stream_options' parameter is only allowed when 'stream' is enabled.";
    return std::nullopt;
  }

  Prompt read_prompt(const json::object& b, std::string, bool) const override {
    Prompt p;
    p.model = json::value_to<std::string>(b.at("model"));
    for (const char* k : {"max_tokens", "max_completion_tokens"})
      if (auto m = b.if_contains(k); m != nullptr && m->is_int64()) p.max_tokens = m->get_int64();
    if (auto s = b.if_contains("stream"); s != nullptr) p.stream = s->get_bool();
    if (auto o = b.if_contains("stream_options"); o != nullptr && o->is_object())
      if (auto u = o->get_object().if_contains("include_usage"); u && u->is_bool())
        p.include_usage = u->get_bool();
    for (const auto& m : b.at("messages").get_array()) {
      const auto* c = m.get_object().if_contains("content");
      std::string text = c != nullptr && c->is_string() ? std::string(c->get_string()) : "";
      if (m.at("role").get_string() == "user") p.last_user_text = text;
      p.input_words += 1 + static_cast<int64_t>(std::count(text.begin(), text.end(), ' '));
    }
    return p;
  }

  std::string error_body(int status, std::string_view message,
                         std::string_view code) const override {
    std::string type = status == 429   ? "requests"
                       : status >= 500 ? "server_error"
                                       : "invalid_request_error";
    json::value c = nullptr;
    if (!code.empty())
      c = code;
    else if (status == 401)
      c = "invalid_api_key";
    else if (status == 429)
      c = "rate_limit_exceeded";
    json::object e{{"message", message}, {"type", type}, {"param", nullptr}, {"code", c}};
    return json::serialize(json::object{{"error", e}});
  }

  std::string reply_body(const Reply& r) const override {
    json::object msg{{"role", "assistant"}, {"content", r.text()}};
    json::object o{{"id", r.id},
                   {"object", "chat.completion"},
                   {"created", 1700000000},
                   {"model", r.model},
                   {"choices", json::array{json::object{
                                   {"index", 0}, {"message", msg}, {"finish_reason", r.finish}}}},
                   {"usage",
                    {{"prompt_tokens", r.input_tokens},
                     {"completion_tokens", r.output_tokens},
                     {"total_tokens", r.input_tokens + r.output_tokens}}}};
    return json::serialize(o);
  }

  std::vector<std::string> stream_events(const Reply& r) const override {
    auto frame = [&](json::object delta, json::value finish) {
      json::object o{{"id", r.id},
                     {"object", "chat.completion.chunk"},
                     {"created", 1700000000},
                     {"model", r.model},
                     {"choices", json::array{json::object{
                                     {"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}};
      return "data: " + json::serialize(o) + "\n\n";
    };
    std::vector<std::string> ev;
    ev.push_back(frame({{"role", "assistant"}, {"content", ""}}, nullptr));
    for (const auto& p : r.pieces) ev.push_back(frame({{"content", p}}, nullptr));
    ev.push_back(frame({}, json::value(r.finish)));
    if (!r.include_usage) {
      ev.push_back("data: [DONE]\n\n");
      return ev;
    }
    json::object usage{{"id", r.id},
                       {"object", "chat.completion.chunk"},
                       {"created", 1700000000},
                       {"model", r.model},
                       {"choices", json::array()},
                       {"usage",
                        {{"prompt_tokens", r.input_tokens},
                         {"completion_tokens", r.output_tokens},
                         {"total_tokens", r.input_tokens + r.output_tokens}}}};
    ev.push_back("data: " + json::serialize(usage) + "\n\n");
    ev.push_back("data: [DONE]\n\n");
    return ev;
  }

  std::string malformed_event() const override {
    return "data: {\"id\": \"chatcmpl-mock\", \"choices\": [{\"delta\": {\"content\": \n\n";
  }
  int overloaded_status() const override { return 503; }
  Headers reply_headers(const Reply& r) const override {
    return {{{"x-request-id", "req_" + r.id.substr(r.id.find('-') + 1)}}};
  }
  std::string rate_limit_body(int64_t) const override {
    return error_body(429, "Rate limit reached for requests per min (RPM): Limit 3, Used 3.", {});
  }
  bool retry_after_in_headers() const override { return true; }
  std::string context_window_body() const override {
    return error_body(400,
                      "This model's maximum context length is 128000 tokens. However, your "
                      "messages resulted in 130000 tokens.",
                      "context_length_exceeded");
  }
};

}  // namespace

const WireFormat& openai_wire() {
  static const OpenAiWire w;
  return w;
}

}  // namespace pipeline::testing
