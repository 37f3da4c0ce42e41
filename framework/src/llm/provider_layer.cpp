#include <pipeline/llm/completion_error.hpp>
#include <pipeline/llm/provider_layer.hpp>

#include <algorithm>

namespace pipeline {

namespace {

// Empty when `o` is a reply the ABI promises (docs/abi.md "Response"), else what is wrong.
std::string reply_problem(const json::object& o) {
  const auto* text = o.if_contains("text");
  if (text == nullptr || !text->is_string()) return "has no string \"text\"";
  for (const char* k : {"input_tokens", "output_tokens", "cost_usd", "attempts"}) {
    const auto* v = o.if_contains(k);
    if (v != nullptr && !v->is_number()) return std::string("has a non-numeric \"") + k + "\"";
  }
  return {};
}

int64_t count(const json::object& o, const char* k, int64_t fallback = 0) {
  const auto* v = o.if_contains(k);
  // As double first: a count sent as 12.0 must not throw.
  return v != nullptr && v->is_number() ? static_cast<int64_t>(v->to_number<double>()) : fallback;
}

}  // namespace

ProviderLayer::ProviderLayer(std::shared_ptr<const ProviderRoutes> routes)
    : routes_(std::move(routes)) {}

CallResult ProviderLayer::complete(std::string_view request_json, const CompletionCall& call) {
  CallRecord scratch;
  CallRecord& rec = call.record != nullptr ? *call.record : scratch;
  auto fail = [&](CallResult r) {
    rec.failed = true;
    rec.error_class = error_class_of(r.error);
    return r;
  };
  auto req = parse_json(request_json);
  if (!req || !req->is_object()) {
    return fail(completion_error(PL_INVALID_ARGUMENT, "invalid_request",
                                 "completion request is not a JSON object"));
  }
  ProviderRoutes::Route route = routes_->route(req->get_object(), call.frame);
  rec.provider = route.name;
  if (route.provider == nullptr) {
    return fail(completion_error(PL_NOT_FOUND, "invalid_request",
                                 "no provider instance named '" + route.name + "'"));
  }
  CallResult r = route.provider->instance->complete(request_json, call.ctx);
  if (!r.ok()) {
    rec.attempts = 1;  // the error JSON does not say how often the plugin retried
    return fail(std::move(r));
  }
  auto resp = parse_json(r.body);
  std::string problem = !resp                ? "is not JSON: " + resp.status().message()
                        : !resp->is_object() ? std::string("is not a JSON object")
                                             : reply_problem(resp->get_object());
  if (!problem.empty()) {
    rec.attempts = 1;
    return fail(
        completion_error(PL_INTERNAL, "bad_response",
                         "provider '" + route.name + "' returned a response that " + problem));
  }
  const json::object& o = resp->get_object();
  rec.model = get_string(o, "model");
  rec.input_tokens = count(o, "input_tokens");
  rec.output_tokens = count(o, "output_tokens");
  const auto* cost = o.if_contains("cost_usd");
  rec.cost_usd = cost != nullptr ? cost->to_number<double>() : 0.0;
  rec.attempts = std::max<int64_t>(1, count(o, "attempts", 1));
  return r;
}

}  // namespace pipeline
