#include "gemini_provider.hpp"

#include "http_common/json_util.hpp"
#include "http_common/retry_policy.hpp"

namespace pipeline::plugins {

namespace ju = http::json_util;
namespace ec = http::error_class;

namespace {

// List prices in USD per million tokens (paid tier, prompts up to 200k tokens), taken 2025-08-01
// from ai.google.dev/gemini-api/docs/pricing. Override them with the config's `prices`.
std::vector<http::ModelPrice> builtin_prices() {
  return {
      {"gemini-2.5-pro", 1.25, 10.0},         {"gemini-2.5-flash", 0.30, 2.50},
      {"gemini-2.5-flash-lite", 0.10, 0.40},  {"gemini-2.0-flash", 0.10, 0.40},
      {"gemini-2.0-flash-lite", 0.075, 0.30}, {"gemini-1.5-pro", 1.25, 5.0},
      {"gemini-1.5-flash", 0.075, 0.30},
  };
}

http::ProviderDefaults defaults() {
  http::ProviderDefaults d;
  d.provider = "gemini";
  d.base_url = "https://generativelanguage.googleapis.com";
  d.api_key_env = "GEMINI_API_KEY";
  d.model = "gemini-2.5-flash";
  d.key_required = true;
  d.prices = builtin_prices();
  return d;
}

bool is_blocked(std::string_view reason) {
  return reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" ||
         reason == "PROHIBITED_CONTENT" || reason == "SPII" || reason == "IMAGE_SAFETY";
}

// Folds one GenerateContentResponse (a whole reply, or one streamed chunk) into `c`; returns the
// text it carries and whether it carried a finishReason.
bool absorb(const boost::json::object& o, http::Completion& c, std::string& text) {
  if (const auto* err = ju::obj(o, "error")) throw http::FailureError(gemini_failure(*err, 0));
  bool finished = false;
  if (const auto* u = ju::obj(o, "usageMetadata")) {
    c.input_tokens = ju::num(*u, "promptTokenCount", c.input_tokens);
    c.output_tokens = ju::num(*u, "candidatesTokenCount", 0) + ju::num(*u, "thoughtsTokenCount", 0);
  }
  if (auto m = ju::str(o, "modelVersion"); !m.empty()) c.model = std::string(m);
  if (auto id = ju::str(o, "responseId"); !id.empty()) c.request_id = std::string(id);
  const auto* cands = ju::arr(o, "candidates");
  if (cands == nullptr || cands->empty()) {
    if (const auto* fb = ju::obj(o, "promptFeedback")) {
      if (auto br = ju::str(*fb, "blockReason"); !br.empty())
        throw http::FailureError(http::Failure{std::string(ec::kContentFilter), 200, -1,
                                               "gemini: prompt blocked (" + std::string(br) + ")"});
    }
    return false;
  }
  if (!(*cands)[0].is_object())
    throw http::FailureError(
        http::Failure{std::string(ec::kBadResponse), 0, -1, "gemini: candidate is not an object"});
  const auto& cand = (*cands)[0].get_object();
  if (const auto* content = ju::obj(cand, "content")) {
    if (const auto* parts = ju::arr(*content, "parts")) {
      for (const auto& p : *parts) {
        if (!p.is_object()) continue;
        const auto& po = p.get_object();
        if (const auto* th = ju::find(po, "thought");
            th != nullptr && th->is_bool() && th->get_bool())
          continue;  // thinking summaries are not the answer
        text.append(ju::str(po, "text"));
      }
    }
  }
  if (auto fr = ju::str(cand, "finishReason"); !fr.empty()) {
    c.finish_reason = gemini_finish_reason(fr);
    finished = true;
  }
  return finished;
}

class GeminiStreamDecoder : public http::StreamDecoder {
 public:
  GeminiStreamDecoder() : StreamDecoder("gemini", "gemini: the answer was blocked") {}

 protected:
  // Gemini has no terminal event: the chunk carrying finishReason ends the answer.
  void on_json(const http::SseEvent&, const boost::json::object& o, std::string& delta) override {
    if (absorb(o, result_, delta)) finished_ = true;
  }
};

}  // namespace

std::string gemini_finish_reason(std::string_view r) {
  if (r == "STOP") return "stop";
  if (r == "MAX_TOKENS") return "length";
  if (is_blocked(r)) return "content_filter";
  if (r == "MALFORMED_FUNCTION_CALL") return "tool_calls";
  return r.empty() ? "" : "other";
}

http::Failure gemini_failure(const boost::json::object& error, long http_status) {
  std::string_view status = ju::str(error, "status");
  std::string_view message = ju::str(error, "message");
  long code = http_status != 0 ? http_status : ju::num(error, "code", 0);
  int64_t retry_after = -1;
  bool key_invalid = false;
  if (const auto* details = ju::arr(error, "details")) {
    for (const auto& d : *details) {
      if (!d.is_object()) continue;
      const auto& dobj = d.get_object();
      if (auto delay = ju::str(dobj, "retryDelay"); !delay.empty())
        retry_after = http::parse_duration_ms(delay).value_or(-1);
      if (ju::str(dobj, "reason") == "API_KEY_INVALID") key_invalid = true;
    }
  }
  std::string cls;
  if (status == "UNAUTHENTICATED" || status == "PERMISSION_DENIED" || key_invalid ||
      message.find("API key not valid") != std::string_view::npos) {
    cls = ec::kAuth;  // Gemini answers a bad key with 400 API_KEY_INVALID, not 401
  } else if (status == "RESOURCE_EXHAUSTED") {
    cls = ec::kRateLimited;
  } else if (status == "UNAVAILABLE") {
    cls = ec::kOverloaded;
  } else if (status == "INTERNAL") {
    cls = ec::kServerError;
  } else if (status == "DEADLINE_EXCEEDED") {
    cls = ec::kTimeout;
  } else if (status == "INVALID_ARGUMENT" || status == "FAILED_PRECONDITION" ||
             status == "NOT_FOUND") {
    cls = message.find("token count") != std::string_view::npos &&
                  message.find("exceeds") != std::string_view::npos
              ? ec::kContextWindow
              : ec::kInvalidRequest;
  } else {
    cls = code != 0 ? http::class_for_http_status(code) : std::string(ec::kServerError);
  }
  std::string text = "gemini: " +
                     (http_status != 0 ? "HTTP " + std::to_string(http_status) + " "
                                       : std::string("stream error ")) +
                     std::string(status.empty() ? "error" : status) + ": " + std::string(message);
  return http::Failure{cls, static_cast<int>(http_status), retry_after, text};
}

GeminiProvider::GeminiProvider(const pl_host_api* host, std::string_view config_json)
    : HttpProvider(host, config_json, defaults(), {"api_version"}) {
  api_version_ = std::string(ju::str(config().raw, "api_version"));
  if (api_version_.empty()) api_version_ = "v1beta";
}

http::HttpRequest GeminiProvider::build_request(const http::ChatRequest& r) const {
  boost::json::object body;
  boost::json::array contents;
  for (const auto& m : r.messages) {
    boost::json::array parts;
    parts.push_back(boost::json::object{{"text", m.content}});
    contents.push_back({{"role", m.role == "assistant" ? "model" : "user"}, {"parts", parts}});
  }
  body["contents"] = std::move(contents);
  if (!r.system.empty()) {
    boost::json::array parts;
    parts.push_back(boost::json::object{{"text", r.system}});
    body["systemInstruction"] = {{"parts", parts}};
  }
  boost::json::object gen;
  gen["maxOutputTokens"] = r.max_tokens;
  if (r.temperature) gen["temperature"] = *r.temperature;
  if (r.top_p) gen["topP"] = *r.top_p;
  if (r.top_k) gen["topK"] = *r.top_k;
  if (!r.stop.empty()) {
    boost::json::array stop;
    for (const auto& s : r.stop) stop.emplace_back(s);
    gen["stopSequences"] = std::move(stop);
  }
  if (r.json_output) gen["responseMimeType"] = "application/json";
  body["generationConfig"] = std::move(gen);
  for (const auto& [k, v] : r.provider_options) body[k] = v;

  std::string model = r.model;
  if (model.rfind("models/", 0) == 0) model.erase(0, 7);
  http::HttpRequest req;
  req.url = config().base_url + "/" + api_version_ + "/models/" + model +
            (r.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  req.headers = {"x-goog-api-key: " + config().api_key};
  req.body = http::to_body(body);
  return req;
}

http::Completion GeminiProvider::parse_response(const boost::json::object& o) const {
  http::Completion c;
  std::string text;
  bool finished = absorb(o, c, text);
  if (!finished && ju::arr(o, "candidates") == nullptr)
    throw bad_response("gemini: reply has no candidates");
  c.text = std::move(text);
  http::reject_textless_refusal(c, !c.text.empty(), "gemini: the answer was blocked");
  return c;
}

std::unique_ptr<http::StreamDecoder> GeminiProvider::make_stream_decoder() const {
  return std::make_unique<GeminiStreamDecoder>();
}

http::Failure GeminiProvider::parse_error(const http::HttpResponse& r) const {
  boost::system::error_code e;
  boost::json::value v = boost::json::parse(r.body, e);
  // streamGenerateContent without alt=sse answers errors as a one-element array.
  if (!e && v.is_array() && !v.get_array().empty()) v = v.get_array()[0];
  if (!e && v.is_object()) {
    if (const auto* err = ju::obj(v.get_object(), "error")) {
      http::Failure f = gemini_failure(*err, r.status);
      f.message.erase(0, std::string_view("gemini: ").size());
      return f;
    }
  }
  return HttpProvider::parse_error(r);
}

}  // namespace pipeline::plugins
