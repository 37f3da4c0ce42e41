// The Gemini API as the mock speaks it: POST /v1beta/models/{model}:generateContent and
// :streamGenerateContent?alt=sse (each SSE event a whole GenerateContentResponse, CRLF framed).
#include <algorithm>

#include "wire_format.hpp"

namespace pipeline::testing {

namespace {

namespace json = boost::json;

std::string status_name(int status) {
  switch (status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 500:
      return "INTERNAL";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return "UNKNOWN";
  }
}

std::string finish_reason(const std::string& finish) {
  if (finish == "length") return "MAX_TOKENS";
  if (finish == "content_filter") return "SAFETY";
  return "STOP";
}

json::object usage(const Reply& r) {
  return {{"promptTokenCount", r.input_tokens},
          {"candidatesTokenCount", r.output_tokens},
          {"totalTokenCount", r.input_tokens + r.output_tokens}};
}

json::object chunk(const Reply& r, const std::string& text, bool last) {
  json::object cand{
      {"content", {{"parts", json::array{json::object{{"text", text}}}}, {"role", "model"}}},
      {"index", 0}};
  if (last) cand["finishReason"] = finish_reason(r.finish);
  return {{"candidates", json::array{cand}},
          {"usageMetadata", usage(r)},
          {"modelVersion", r.model},
          {"responseId", r.id}};
}

class GeminiWire : public WireFormat {
 public:
  std::string_view name() const override { return "gemini"; }

  AuthCheck check_auth(const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& expected) const override {
    if (expected.empty()) return {};
    std::string key = header_value(headers, "x-goog-api-key");
    if (key.empty())
      return {false,
              "Method doesn't allow unregistered callers (callers without established identity). "
              "Please use API Key or other form of API consumer identity to call this API."};
    if (key != expected) return {false, "API key not valid. Please pass a valid API key."};
    return {};
  }

  std::optional<std::string> validate(const json::object& b, bool) const override {
    auto contents = b.if_contains("contents");
    if (contents == nullptr || !contents->is_array() || contents->get_array().empty())
      return "* GenerateContentRequest.contents: contents is not specified";
    for (const auto& c : contents->get_array()) {
      if (!c.is_object()) return "Invalid value at 'contents' (type.googleapis.com/Content)";
      if (auto role = c.get_object().if_contains("role");
          role != nullptr &&
          !(role->is_string() && (role->get_string() == "user" || role->get_string() == "model")))
        return "Please use a valid role: user, model.";
      auto parts = c.get_object().if_contains("parts");
      if (parts == nullptr || !parts->is_array() || parts->get_array().empty())
        return "* GenerateContentRequest.contents.parts: contents.parts must not be empty.";
    }
    if (auto g = b.if_contains("generationConfig"); g != nullptr && !g->is_object())
      return "Invalid value at 'generation_config'";
    if (auto s = b.if_contains("systemInstruction"); s != nullptr && !s->is_object())
      return "Invalid value at 'system_instruction'";
    return std::nullopt;
  }

  Prompt read_prompt(const json::object& b, std::string path_model,
                     bool stream_path) const override {
    Prompt p;
    p.model = std::move(path_model);
    p.stream = stream_path;
    if (auto g = b.if_contains("generationConfig"))
      if (auto m = g->get_object().if_contains("maxOutputTokens"); m != nullptr && m->is_int64())
        p.max_tokens = m->get_int64();
    for (const auto& c : b.at("contents").get_array()) {
      std::string text;
      for (const auto& part : c.at("parts").get_array())
        if (part.is_object() && part.get_object().if_contains("text"))
          text += json::value_to<std::string>(part.at("text"));
      auto role = c.get_object().if_contains("role");
      if (role == nullptr || role->get_string() == "user") p.last_user_text = text;
      p.input_words += 1 + static_cast<int64_t>(std::count(text.begin(), text.end(), ' '));
    }
    return p;
  }

  std::string error_body(int status, std::string_view message, std::string_view) const override {
    json::object e{{"code", status}, {"message", message}, {"status", status_name(status)}};
    if (status == 401)
      e["details"] = json::array{json::object{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                              {"reason", "API_KEY_INVALID"},
                                              {"domain", "googleapis.com"}}};
    return json::serialize(json::object{{"error", e}});
  }

  std::string reply_body(const Reply& r) const override {
    if (r.finish == "content_filter")
      return json::serialize(json::object{{"promptFeedback", {{"blockReason", "SAFETY"}}},
                                          {"usageMetadata", usage(r)},
                                          {"modelVersion", r.model},
                                          {"responseId", r.id}});
    return json::serialize(chunk(r, r.text(), true));
  }

  std::vector<std::string> stream_events(const Reply& r) const override {
    std::vector<std::string> ev;
    if (r.finish == "content_filter") {
      ev.push_back("data: " + reply_body(r) + "\r\n\r\n");
      return ev;
    }
    for (size_t i = 0; i < r.pieces.size(); ++i)
      ev.push_back("data: " + json::serialize(chunk(r, r.pieces[i], i + 1 == r.pieces.size())) +
                   "\r\n\r\n");
    return ev;
  }

  std::string malformed_event() const override {
    return "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\r\n\r\n";
  }
  int overloaded_status() const override { return 503; }
  Headers reply_headers(const Reply&) const override { return {}; }
  std::string rate_limit_body(int64_t retry_after_ms) const override {
    char delay[32];
    std::snprintf(delay, sizeof delay, "%.3fs", static_cast<double>(retry_after_ms) / 1000.0);
    json::object e{
        {"code", 429},
        {"message", "Resource has been exhausted (e.g. check quota)."},
        {"status", "RESOURCE_EXHAUSTED"},
        {"details", json::array{json::object{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
                                             {"retryDelay", delay}}}}};
    return json::serialize(json::object{{"error", e}});
  }
  bool retry_after_in_headers() const override { return false; }
  std::string context_window_body() const override {
    return error_body(400,
                      "The input token count (1200000) exceeds the maximum number of tokens "
                      "allowed (1048576).",
                      {});
  }
};

}  // namespace

const WireFormat& gemini_wire() {
  static const GeminiWire w;
  return w;
}

}  // namespace pipeline::testing
