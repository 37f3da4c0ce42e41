#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/cache/response_cache_key.hpp>
#include <pipeline/engine/completion_service.hpp>

#include <pipeline/json.hpp>
#include <pipeline/plugin.hpp>

namespace pipeline {

CompletionService::CompletionService(std::map<std::string, Provider> providers,
                                     std::string default_provider,
                                     std::shared_ptr<CacheManager> cache)
    : providers_(std::move(providers)),
      default_provider_(std::move(default_provider)),
      cache_(std::move(cache)) {
  c_.header.struct_size = sizeof(c_);
  c_.header.version = 1;
  c_.header.host_data = this;
  c_.complete = &c_complete;
}

CallResult CompletionService::complete(std::string_view request_json, const CallContext& ctx) {
  auto req = parse_json(request_json);
  if (!req || !req->is_object()) {
    return {
        PL_INVALID_ARGUMENT,
        {},
        R"({"class":"invalid_request","http_status":0,"retry_after_ms":-1,"message":"completion request is not a JSON object"})"};
  }
  std::string name = get_string(req->get_object(), "provider", default_provider_);
  auto it = providers_.find(name);
  if (it == providers_.end()) {
    return {
        PL_NOT_FOUND,
        {},
        R"({"class":"invalid_request","http_status":0,"retry_after_ms":-1,"message":"no provider instance named ')" +
            sdk::json_escape(name) + R"('"})"};
  }
  if (!cache_) return call_provider(it->second, name, request_json, ctx);

  // The key covers what shapes the answer: the request and the instance's identity and settings.
  json::value keyed = *req;
  keyed.as_object()["provider_settings"] = it->second.settings;
  std::string key = ResponseCacheKey::make(it->second.component, it->second.base_url, keyed);
  CallResult fresh;
  bool computed = false;
  Result<std::string> body = cache_->get_or_compute(key, [&]() -> Result<std::string> {
    computed = true;
    fresh = call_provider(it->second, name, request_json, ctx);
    if (!fresh.ok()) return fresh.to_status();
    return fresh.body;
  });
  if (computed) return fresh;
  if (!body) {
    // Another caller's identical request failed while we waited: fail the same way.
    return {static_cast<int32_t>(body.status().code()), {}, body.status().message()};
  }
  auto cached = parse_json(*body);
  if (!cached || !cached->is_object()) return call_provider(it->second, name, request_json, ctx);
  json::object& o = cached->as_object();
  o["cached"] = true;
  o["cost_usd"] = 0.0;
  // A streaming caller still sees the text, in one piece.
  if (auto* text = o.if_contains("text"); text && text->is_string() && ctx.raw()->emit) {
    std::string_view t = text->get_string();
    ctx.raw()->emit(ctx.raw(), "text_delta", 10, t.data(), t.size());
  }
  std::lock_guard lock(mu_);
  ++totals_.cache_hits;
  return {PL_OK, json::serialize(o), {}};
}

CallResult CompletionService::call_provider(const Provider& p, const std::string& name,
                                            std::string_view request_json, const CallContext& ctx) {
  CallResult r = p.instance->complete(request_json, ctx);
  std::lock_guard lock(mu_);
  ++totals_.calls;
  if (!r.ok()) {
    ++totals_.failures;
    return r;
  }
  auto resp = parse_json(r.body);
  if (!resp || !resp->is_object()) {
    ++totals_.failures;
    return {PL_INTERNAL,
            {},
            R"({"class":"bad_response","http_status":0,"retry_after_ms":-1,"message":"provider ')" +
                sdk::json_escape(name) + R"(' returned a response that is not a JSON object"})"};
  }
  const auto& o = resp->get_object();
  auto num = [&](const char* k) -> double {
    const auto* v = o.if_contains(k);
    return v && v->is_number() ? v->to_number<double>() : 0.0;
  };
  totals_.input_tokens += static_cast<int64_t>(num("input_tokens"));
  totals_.output_tokens += static_cast<int64_t>(num("output_tokens"));
  totals_.cost_usd += num("cost_usd");
  return r;
}

CompletionTotals CompletionService::totals() const {
  std::lock_guard lock(mu_);
  return totals_;
}

int32_t CompletionService::c_complete(void* self, const pl_call_context* ctx, const char* req,
                                      size_t len, pl_buffer* out, pl_buffer* err) {
  auto* svc = static_cast<CompletionService*>(self);
  CallContext forwarded = CallContext::forwarding(ctx);
  CallResult r = svc->complete(std::string_view(req, len), forwarded);
  sdk::append(out, r.body);
  sdk::append(err, r.error);
  return r.status;
}

}  // namespace pipeline
