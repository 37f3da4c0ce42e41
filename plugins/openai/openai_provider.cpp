#include "openai_provider.hpp"

#include "http_common/json_util.hpp"

namespace pipeline::plugins {

namespace ju = http::json_util;
namespace ec = http::error_class;

namespace {

// List prices in USD per million tokens, taken 2025-08-01 from openai.com/api/pricing.
// Local servers match none of them (cost_usd 0, cost_known false) unless the config adds prices.
std::vector<http::ModelPrice> builtin_prices() {
  return {
      {"gpt-4o", 2.50, 10.0},       {"gpt-4o-mini", 0.15, 0.60},  {"gpt-4.1", 2.0, 8.0},
      {"gpt-4.1-mini", 0.40, 1.60}, {"gpt-4.1-nano", 0.10, 0.40}, {"o3", 2.0, 8.0},
      {"o3-mini", 1.10, 4.40},      {"o4-mini", 1.10, 4.40},      {"gpt-3.5-turbo", 0.50, 1.50},
  };
}

http::ProviderDefaults defaults() {
  http::ProviderDefaults d;
  d.provider = "openai";
  d.base_url = "https://api.openai.com/v1";
  d.api_key_env = "";  // no key unless configured: local servers need none
  d.model = "gpt-4o-mini";
  d.key_required = false;
  d.prices = builtin_prices();
  return d;
}

// Reads one chat.completion.chunk (or a whole chat.completion when `whole`).
void absorb(const boost::json::object& o, http::Completion& c, std::string& text, bool whole) {
  if (const auto* err = ju::obj(o, "error")) throw http::FailureError(openai_failure(*err, 0));
  if (auto id = ju::str(o, "id"); !id.empty()) c.request_id = std::string(id);
  if (auto m = ju::str(o, "model"); !m.empty()) c.model = std::string(m);
  if (const auto* u = ju::obj(o, "usage")) {
    c.input_tokens = ju::num(*u, "prompt_tokens");
    c.output_tokens = ju::num(*u, "completion_tokens");
  }
  const auto* choices = ju::arr(o, "choices");
  if (choices == nullptr) {
    if (whole)
      throw http::FailureError(http::Failure{std::string(ec::kBadResponse), 0, -1,
                                             "openai: reply has no 'choices' array"});
    return;
  }
  if (choices->empty() || !(*choices)[0].is_object()) return;
  const auto& choice = (*choices)[0].get_object();
  if (const auto* m = ju::obj(choice, whole ? "message" : "delta"))
    text.append(ju::str(*m, "content"));
  if (auto fr = ju::str(choice, "finish_reason"); !fr.empty())
    c.finish_reason = openai_finish_reason(fr);
}

class OpenAiStreamDecoder : public http::StreamDecoder {
 public:
  OpenAiStreamDecoder() : StreamDecoder("openai", "openai: the answer was filtered") {}

 protected:
  bool on_control(const http::SseEvent& ev) override {
    if (ev.data != "[DONE]") return false;
    finished_ = true;
    return true;
  }
  void on_json(const http::SseEvent&, const boost::json::object& o, std::string& delta) override {
    absorb(o, result_, delta, false);
  }
};

}  // namespace

std::string openai_finish_reason(std::string_view r) {
  if (r == "stop") return "stop";
  if (r == "length") return "length";
  if (r == "content_filter") return "content_filter";
  if (r == "tool_calls" || r == "function_call") return "tool_calls";
  return r.empty() ? "" : "other";
}

http::Failure openai_failure(const boost::json::object& error, long http_status) {
  std::string_view code = ju::str(error, "code");
  std::string_view type = ju::str(error, "type");
  std::string_view message = ju::str(error, "message");
  std::string cls;
  if (code == "context_length_exceeded" || code == "string_above_max_length") {
    cls = ec::kContextWindow;
  } else if (code == "content_filter" || code == "content_policy_violation") {
    cls = ec::kContentFilter;
  } else if (code == "insufficient_quota") {
    cls = ec::kInvalidRequest;  // billing, not a transient limit: retrying cannot help
  } else if (code == "invalid_api_key" || type == "authentication_error" || http_status == 401 ||
             http_status == 403) {
    cls = ec::kAuth;
  } else if (code == "rate_limit_exceeded" || type == "rate_limit_error" || type == "requests" ||
             type == "tokens") {
    cls = ec::kRateLimited;
  } else if (http_status != 0) {
    cls = http::class_for_http_status(http_status);
  } else if (type == "server_error") {
    cls = ec::kServerError;
  } else {
    cls = ec::kServerError;
  }
  std::string text = "openai: " +
                     (http_status != 0 ? "HTTP " + std::to_string(http_status) + " "
                                       : std::string("stream error ")) +
                     std::string(code.empty() ? (type.empty() ? "error" : type) : code) + ": " +
                     std::string(message);
  return http::Failure{cls, static_cast<int>(http_status), -1, text};
}

OpenAiProvider::OpenAiProvider(const pl_host_api* host, std::string_view config_json)
    : HttpProvider(host, config_json, defaults(),
                   {"max_tokens_field", "stream_include_usage", "organization"}) {
  const auto& raw = config().raw;
  max_tokens_field_ = std::string(ju::str(raw, "max_tokens_field"));
  if (max_tokens_field_.empty()) max_tokens_field_ = "max_tokens";
  if (max_tokens_field_ != "max_tokens" && max_tokens_field_ != "max_completion_tokens")
    throw sdk::Error(PL_INVALID_ARGUMENT,
                     "openai config: 'max_tokens_field' must be max_tokens or "
                     "max_completion_tokens");
  if (const auto* v = ju::find(raw, "stream_include_usage"); v != nullptr && v->is_bool())
    stream_include_usage_ = v->get_bool();
  organization_ = std::string(ju::str(raw, "organization"));
}

http::HttpRequest OpenAiProvider::build_request(const http::ChatRequest& r) const {
  boost::json::object body;
  body["model"] = r.model;
  boost::json::array messages;
  if (!r.system.empty()) messages.push_back({{"role", "system"}, {"content", r.system}});
  for (const auto& m : r.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  body["messages"] = std::move(messages);
  body[max_tokens_field_] = r.max_tokens;
  if (r.temperature) body["temperature"] = *r.temperature;
  if (r.top_p) body["top_p"] = *r.top_p;
  if (!r.stop.empty()) {
    boost::json::array stop;
    for (const auto& s : r.stop) stop.emplace_back(s);
    body["stop"] = std::move(stop);
  }
  if (r.json_output) body["response_format"] = {{"type", "json_object"}};
  if (r.stream) {
    body["stream"] = true;
    if (stream_include_usage_) body["stream_options"] = {{"include_usage", true}};
  }
  for (const auto& [k, v] : r.provider_options) body[k] = v;

  http::HttpRequest req;
  req.url = config().base_url + "/chat/completions";
  if (!config().api_key.empty()) req.headers.push_back("Authorization: Bearer " + config().api_key);
  if (!organization_.empty()) req.headers.push_back("OpenAI-Organization: " + organization_);
  req.body = http::to_body(body);
  return req;
}

http::Completion OpenAiProvider::parse_response(const boost::json::object& o) const {
  http::Completion c;
  std::string text;
  absorb(o, c, text, true);
  c.text = std::move(text);
  http::reject_textless_refusal(c, !c.text.empty(), "openai: the answer was filtered");
  return c;
}

std::unique_ptr<http::StreamDecoder> OpenAiProvider::make_stream_decoder() const {
  return std::make_unique<OpenAiStreamDecoder>();
}

http::Failure OpenAiProvider::parse_error(const http::HttpResponse& r) const {
  boost::system::error_code e;
  boost::json::value v = boost::json::parse(r.body, e);
  if (!e && v.is_object()) {
    if (const auto* err = ju::obj(v.get_object(), "error")) {
      http::Failure f = openai_failure(*err, r.status);
      f.message.erase(0, std::string_view("openai: ").size());
      return f;
    }
  }
  return HttpProvider::parse_error(r);
}

}  // namespace pipeline::plugins
