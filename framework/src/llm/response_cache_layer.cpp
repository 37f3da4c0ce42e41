#include <pipeline/cache/response_cache_key.hpp>
#include <pipeline/llm/completion_error.hpp>
#include <pipeline/llm/response_cache_layer.hpp>

namespace pipeline {

ResponseCacheLayer::ResponseCacheLayer(std::unique_ptr<Completion> next,
                                       std::shared_ptr<const ProviderRoutes> routes,
                                       std::shared_ptr<CacheManager> cache)
    : next_(std::move(next)), routes_(std::move(routes)), cache_(std::move(cache)) {}

CallResult ResponseCacheLayer::complete(std::string_view request_json, const CompletionCall& call) {
  // dspy_config.cache_enabled: false: this step's calls neither read nor fill the cache.
  if (!call.frame.response_cache) return next_->complete(request_json, call);
  auto req = parse_json(request_json);
  if (!req || !req->is_object()) return next_->complete(request_json, call);
  ProviderRoutes::Route route = routes_->route(req->get_object(), call.frame);
  // An unknown instance is the provider layer's error to report; nothing to cache.
  if (route.provider == nullptr) return next_->complete(request_json, call);

  CallRecord scratch;
  CallRecord& rec = call.record != nullptr ? *call.record : scratch;
  CompletionCall down{call.ctx, call.frame, &rec};
  // The key covers what shapes the answer: the request and the instance's identity and settings.
  json::value keyed = *req;
  keyed.as_object()["provider_settings"] = route.provider->settings;
  std::string key =
      ResponseCacheKey::make(route.provider->component, route.provider->base_url, keyed);
  CallResult fresh;
  bool computed = false;
  Result<std::string> body = cache_->get_or_compute(key, [&]() -> Result<std::string> {
    computed = true;
    fresh = next_->complete(request_json, down);
    if (!fresh.ok()) return fresh.to_status();
    return fresh.body;
  });
  if (computed) return fresh;
  if (!body) {
    // Another caller's identical request failed while we waited: fail the same way.
    rec.provider = route.name;
    rec.failed = true;
    rec.error_class = error_class_of(body.status().message());
    return {static_cast<int32_t>(body.status().code()), {}, body.status().message()};
  }
  auto cached = parse_json(*body);
  if (!cached || !cached->is_object()) return next_->complete(request_json, down);
  json::object& o = cached->as_object();
  o["cached"] = true;
  o["cost_usd"] = 0.0;
  rec.provider = route.name;
  rec.model = get_string(o, "model");
  rec.cache_hit = true;
  // A streaming caller still sees the text, in one piece.
  if (auto* text = o.if_contains("text"); text && text->is_string() && call.ctx.raw()->emit) {
    std::string_view t = text->get_string();
    call.ctx.raw()->emit(call.ctx.raw(), "text_delta", 10, t.data(), t.size());
  }
  return {PL_OK, json::serialize(o), {}};
}

}  // namespace pipeline
