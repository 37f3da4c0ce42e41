#include "http_common/chat_request.hpp"

#include "http_common/failure.hpp"
#include "http_common/json_util.hpp"

namespace pipeline::http {

namespace {

[[noreturn]] void invalid(std::string message) {
  throw FailureError(
      Failure{std::string(error_class::kInvalidRequest), 0, -1, "request: " + message});
}

// Content is a string, or an array of parts of which the text ones are joined.
std::string content_text(const boost::json::value& v, size_t index) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_array()) {
    std::string out;
    for (const auto& part : v.get_array()) {
      if (part.is_string()) {
        out += part.get_string();
      } else if (part.is_object() && json_util::find(part.get_object(), "text") != nullptr) {
        out += json_util::str(part.get_object(), "text");
      } else {
        invalid("messages[" + std::to_string(index) + "].content has a part without text");
      }
    }
    return out;
  }
  invalid("messages[" + std::to_string(index) + "].content must be a string or an array");
}

std::optional<double> number(const boost::json::object& o, std::string_view key) {
  const auto* v = json_util::find(o, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_number()) {
    // Built piecewise: `"'" + std::string` trips GCC 12's false -Wrestrict at -O3.
    std::string message = "'";
    message.append(key).append("' must be a number");
    invalid(message);
  }
  return json_util::real(*v);
}

}  // namespace

ChatRequest parse_chat_request(std::string_view json, const ProviderConfig& config) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec) invalid("not valid JSON: " + ec.message());
  if (!v.is_object()) invalid("must be a JSON object");
  const auto& o = v.get_object();

  ChatRequest r;
  r.model = std::string(json_util::str(o, "model"));
  if (r.model.empty()) r.model = config.model;
  if (r.model.empty()) invalid("no 'model' in the request and none in the provider config");

  if (const auto* s = json_util::find(o, "system"); s != nullptr && !s->is_null())
    r.system = content_text(*s, 0);

  const auto* msgs = json_util::arr(o, "messages");
  if (msgs == nullptr) invalid("'messages' must be an array");
  for (size_t i = 0; i < msgs->size(); ++i) {
    const auto& m = (*msgs)[i];
    if (!m.is_object()) invalid("messages[" + std::to_string(i) + "] must be an object");
    std::string role(json_util::str(m.get_object(), "role"));
    const auto* content = json_util::find(m.get_object(), "content");
    if (content == nullptr) invalid("messages[" + std::to_string(i) + "] has no content");
    std::string text = content_text(*content, i);
    if (role == "system" || role == "developer") {
      if (!r.system.empty()) r.system += "\n\n";
      r.system += text;
    } else if (role == "user" || role == "assistant") {
      r.messages.push_back({std::move(role), std::move(text)});
    } else {
      invalid("messages[" + std::to_string(i) + "].role must be user, assistant or system");
    }
  }
  if (r.messages.empty()) invalid("'messages' needs at least one user or assistant message");

  r.max_tokens = json_util::num(o, "max_tokens", config.max_tokens);
  if (r.max_tokens <= 0) invalid("'max_tokens' must be positive");
  r.temperature = number(o, "temperature");
  r.top_p = number(o, "top_p");
  if (const auto* k = json_util::find(o, "top_k"); k != nullptr && !k->is_null()) {
    if (!k->is_int64() || k->get_int64() < 1) invalid("'top_k' must be a positive integer");
    r.top_k = k->get_int64();
  }

  if (const auto* s = json_util::find(o, "stop"); s != nullptr && !s->is_null()) {
    if (s->is_string()) {
      r.stop.emplace_back(s->get_string());
    } else if (s->is_array()) {
      for (const auto& e : s->get_array()) {
        if (!e.is_string()) invalid("'stop' must hold strings");
        r.stop.emplace_back(e.get_string());
      }
    } else {
      invalid("'stop' must be a string or an array of strings");
    }
  }

  r.stream = config.stream;
  if (const auto* s = json_util::find(o, "stream"); s != nullptr && !s->is_null()) {
    if (!s->is_bool()) invalid("'stream' must be a boolean");
    r.stream = s->get_bool();
  }

  if (const auto* f = json_util::find(o, "response_format"); f != nullptr && !f->is_null()) {
    std::string_view kind;
    if (f->is_string()) kind = f->get_string();
    if (f->is_object()) kind = json_util::str(f->get_object(), "type");
    if (kind == "json" || kind == "json_object") {
      r.json_output = true;
    } else if (kind != "text") {
      invalid("'response_format' must be \"text\", \"json\" or {\"type\": \"json_object\"}");
    }
  }

  if (const auto* p = json_util::obj(o, "provider_options")) r.provider_options = *p;
  return r;
}

}  // namespace pipeline::http
