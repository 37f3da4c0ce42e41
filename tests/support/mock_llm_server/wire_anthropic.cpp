// The Anthropic Messages API as the mock speaks it (POST /v1/messages).
#include <algorithm>

#include "wire_format.hpp"

namespace pipeline::testing {

namespace {

namespace json = boost::json;

std::string sse(std::string_view event, const json::value& data) {
  return "event: " + std::string(event) + "\ndata: " + json::serialize(data) + "\n\n";
}

std::string error_type(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string stop_reason(const std::string& finish) {
  if (finish == "length") return "max_tokens";
  if (finish == "content_filter") return "refusal";
  return "end_turn";
}

class AnthropicWire : public WireFormat {
 public:
  std::string_view name() const override { return "anthropic"; }

  AuthCheck check_auth(const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& expected) const override {
    if (expected.empty()) return {};
    std::string key = header_value(headers, "x-api-key");
    if (key.empty()) return {false, "x-api-key header is required"};
    if (key != expected) return {false, "invalid x-api-key"};
    return {};
  }

  std::optional<std::string> validate(const json::object& b, bool) const override {
    auto model = b.if_contains("model");
    if (model == nullptr || !model->is_string()) return "model: Field required";
    auto max_tokens = b.if_contains("max_tokens");
    if (max_tokens == nullptr || !max_tokens->is_int64() || max_tokens->get_int64() < 1)
      return "max_tokens: Field required";
    auto messages = b.if_contains("messages");
    if (messages == nullptr || !messages->is_array() || messages->get_array().empty())
      return "messages: at least one message is required";
    for (const auto& m : messages->get_array()) {
      if (!m.is_object()) return "messages: each message must be an object";
      auto role = m.get_object().if_contains("role");
      if (role == nullptr || !role->is_string() ||
          (role->get_string() != "user" && role->get_string() != "assistant"))
        return "messages: roles must be 'user' or 'assistant'";
      auto content = m.get_object().if_contains("content");
      if (content == nullptr || !(content->is_string() || content->is_array()))
        return "messages: content must be a string or an array";
    }
    if (auto s = b.if_contains("system"); s != nullptr && !(s->is_string() || s->is_array()))
      return "system: must be a string or an array of text blocks";
    if (auto s = b.if_contains("stream"); s != nullptr && !s->is_bool())
      return "stream: must be a boolean";
    if (auto s = b.if_contains("stop_sequences"); s != nullptr && !s->is_array())
      return "stop_sequences: must be an array";
    return std::nullopt;
  }

  Prompt read_prompt(const json::object& b, std::string, bool) const override {
    Prompt p;
    p.model = json::value_to<std::string>(b.at("model"));
    p.max_tokens = b.at("max_tokens").get_int64();
    if (auto s = b.if_contains("stream"); s != nullptr) p.stream = s->get_bool();
    for (const auto& m : b.at("messages").get_array()) {
      const auto& c = m.at("content");
      std::string text = c.is_string() ? std::string(c.get_string()) : std::string();
      if (c.is_array())
        for (const auto& part : c.get_array())
          if (part.is_object() && part.get_object().if_contains("text"))
            text += json::value_to<std::string>(part.at("text"));
      if (m.at("role").get_string() == "user") p.last_user_text = text;
      p.input_words += 1 + static_cast<int64_t>(std::count(text.begin(), text.end(), ' '));
    }
    return p;
  }

  std::string error_body(int status, std::string_view message, std::string_view) const override {
    json::object o{{"type", "error"},
                   {"error", {{"type", error_type(status)}, {"message", message}}}};
    return json::serialize(o);
  }

  std::string reply_body(const Reply& r) const override {
    json::array content;
    if (!r.pieces.empty()) content.push_back(json::object{{"type", "text"}, {"text", r.text()}});
    json::object o{
        {"id", r.id},
        {"type", "message"},
        {"role", "assistant"},
        {"model", r.model},
        {"content", content},
        {"stop_reason", stop_reason(r.finish)},
        {"stop_sequence", nullptr},
        {"usage", {{"input_tokens", r.input_tokens}, {"output_tokens", r.output_tokens}}}};
    return json::serialize(o);
  }

  std::vector<std::string> stream_events(const Reply& r) const override {
    std::vector<std::string> ev;
    ev.push_back(sse("message_start",
                     {{"type", "message_start"},
                      {"message",
                       {{"id", r.id},
                        {"type", "message"},
                        {"role", "assistant"},
                        {"model", r.model},
                        {"content", json::array()},
                        {"stop_reason", nullptr},
                        {"stop_sequence", nullptr},
                        {"usage", {{"input_tokens", r.input_tokens}, {"output_tokens", 1}}}}}}));
    ev.push_back(sse("content_block_start", {{"type", "content_block_start"},
                                             {"index", 0},
                                             {"content_block", {{"type", "text"}, {"text", ""}}}}));
    ev.push_back(sse("ping", {{"type", "ping"}}));
    for (const auto& piece : r.pieces)
      ev.push_back(
          sse("content_block_delta", {{"type", "content_block_delta"},
                                      {"index", 0},
                                      {"delta", {{"type", "text_delta"}, {"text", piece}}}}));
    ev.push_back(sse("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
    ev.push_back(
        sse("message_delta",
            {{"type", "message_delta"},
             {"delta", {{"stop_reason", stop_reason(r.finish)}, {"stop_sequence", nullptr}}},
             {"usage", {{"output_tokens", r.output_tokens}}}}));
    ev.push_back(sse("message_stop", {{"type", "message_stop"}}));
    return ev;
  }

  std::string malformed_event() const override {
    return "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"delta\": {\n\n";
  }
  int overloaded_status() const override { return 529; }
  Headers reply_headers(const Reply& r) const override {
    return {{{"request-id", "req_" + r.id.substr(r.id.find('_') + 1)}}};
  }
  std::string rate_limit_body(int64_t) const override {
    return error_body(429, "Number of request tokens has exceeded your per-minute rate limit", {});
  }
  bool retry_after_in_headers() const override { return true; }
  std::string context_window_body() const override {
    return error_body(400, "prompt is too long: 215000 tokens > 200000 maximum", {});
  }
};

}  // namespace

const WireFormat& anthropic_wire() {
  static const AnthropicWire w;
  return w;
}

std::string header_value(const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string_view lower_name) {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

}  // namespace pipeline::testing
