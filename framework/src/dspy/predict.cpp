#include <pipeline/dspy/predict.hpp>

#include <pipeline/dspy/step_dspy.hpp>

namespace pipeline::dspy {

std::string PredictResult::error_message() const {
  if (!lm_error.ok()) return lm_error.to_string();
  if (parse_error) return "adapter_parse_error: " + parse_error->message();
  return "";
}

Predict::Predict(Signature signature, std::vector<Example> demos, PredictOptions options,
                 std::string id)
    : signature_(std::move(signature)),
      demos_(std::move(demos)),
      options_(std::move(options)),
      id_(std::move(id)) {}

std::string Predict::request_json(const std::vector<Message>& messages, const Adapter& adapter,
                                  const std::string& provider) const {
  json::object req = options_.request;
  if (!provider.empty()) req["provider"] = provider;
  json::array ms;
  for (const auto& m : messages)
    ms.push_back(json::object{{"role", m.role}, {"content", m.content}});
  req["messages"] = std::move(ms);
  for (const auto& kv : adapter.request_options(signature_)) req[kv.key()] = kv.value();
  return json::serialize(req);
}

PredictResult Predict::run(const Example& inputs, Completion& lm, const CompletionCall& call,
                           const std::string& provider) const {
  PredictResult out;
  auto attempt = [&](const Adapter& adapter) -> bool {
    out.adapter = std::string(adapter.name());
    out.messages = adapter.format(signature_, demos_, inputs);
    CallRecord record;
    CallResult r = lm.complete(request_json(out.messages, adapter, provider),
                               CompletionCall{call.ctx, call.frame, &record});
    ++out.lm_calls;
    if (record.cache_hit) ++out.cache_hits;
    out.input_tokens += record.input_tokens;
    out.output_tokens += record.output_tokens;
    out.cost_usd += record.cost_usd;
    if (!r.ok()) {
      out.lm_error = r.to_status();
      return false;
    }
    auto body = parse_json(r.body);
    if (!body || !body->is_object()) {
      out.lm_error = internal_error("the completion returned a malformed response");
      return false;
    }
    const auto& o = body->get_object();
    out.raw_reply = get_string(o, "text");
    auto parsed = adapter.parse(signature_, out.raw_reply);
    if (!parsed) {
      out.parse_error = parsed.error();
      return false;
    }
    out.parse_error.reset();
    out.outputs = std::move(parsed.fields());
    return true;
  };
  auto first = make_adapter(options_.adapter);
  if (!first) {
    out.lm_error = invalid_argument("unknown adapter '" + options_.adapter + "' (chat or json)");
    return out;
  }
  if (attempt(*first)) return out;
  // DSPy retries with the JSONAdapter when the ChatAdapter fails for any reason but an LM error.
  if (out.lm_error.ok() && options_.adapter == "chat" && options_.adapter_fallback) {
    auto json_adapter = make_adapter("json");
    attempt(*json_adapter);
  }
  return out;
}

}  // namespace pipeline::dspy
