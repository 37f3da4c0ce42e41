#include <pipeline/llm/completion_error.hpp>
#include <pipeline/llm/fallback_layer.hpp>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <set>

namespace pipeline {

namespace {

std::string message_of(std::string_view error_json) {
  auto v = parse_json(error_json);
  if (v && v->is_object()) {
    if (const auto* m = v->get_object().if_contains("message"); m && m->is_string()) {
      return std::string(m->get_string());
    }
  }
  return std::string(error_json);
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3gs", s);
  return buf;
}

}  // namespace

FallbackLayer::FallbackLayer(std::unique_ptr<Completion> next,
                             std::shared_ptr<const ProviderRoutes> routes,
                             std::shared_ptr<const FallbackChain> chain,
                             std::shared_ptr<ProviderCooldown> cooldown)
    : next_(std::move(next)),
      routes_(std::move(routes)),
      chain_(std::move(chain)),
      cooldown_(std::move(cooldown)) {}

CallResult FallbackLayer::complete(std::string_view request_json, const CompletionCall& call) {
  if (!call.frame.fallback || !chain_->has_provider_hops()) {
    return next_->complete(request_json, call);
  }
  auto req = parse_json(request_json);
  if (!req || !req->is_object()) return next_->complete(request_json, call);
  ProviderRoutes::Route route = routes_->route(req->get_object(), call.frame);
  // An unknown instance is the provider layer's error to report.
  if (route.provider == nullptr) return next_->complete(request_json, call);

  CallRecord scratch;
  CallRecord& rec = call.record != nullptr ? *call.record : scratch;
  std::string current = route.name;
  std::set<std::string> tried{current};
  int64_t hops = 0;
  int64_t attempts = 0;
  double cost = 0;
  CallFrame frame = call.frame;  // its provider is the hop's instance
  auto move_to = [&](const std::string& to, std::string_view cls, const std::string& message) {
    FallbackHop hop{current, to, std::string(cls), message};
    spdlog::warn("step '{}': fallback {} -> {} ({}): {}", call.frame.step, hop.from, hop.to,
                 hop.error_class, hop.message);
    if (call.frame.log != nullptr) call.frame.log->add_hop(hop);
    if (const pl_call_context* raw = call.ctx.raw(); raw->emit != nullptr) {
      std::string event = json::serialize(
          json::object{{"from", hop.from}, {"to", hop.to}, {"class", hop.error_class}});
      raw->emit(raw, "fallback", 8, event.data(), event.size());
    }
    ++hops;
    tried.insert(to);
    current = to;
  };
  for (;;) {
    if (cooldown_) {
      const double left = cooldown_->remaining_seconds(current);
      // With nowhere else to go the instance is asked anyway: a cooldown alone never fails a call.
      auto alt = left > 0 ? chain_->next_provider(current, kCooldownClass, tried) : std::nullopt;
      if (alt) {
        const CooldownConfig& c = cooldown_->config();
        move_to(*alt, kCooldownClass,
                "provider '" + current + "' is cooling down for " + seconds_text(left) +
                    " more after " + std::to_string(c.failures) + " failures within " +
                    seconds_text(c.window_seconds));
        continue;
      }
    }
    CallRecord hop_rec;
    frame.provider = current;
    CallResult r = next_->complete(request_json, CompletionCall{call.ctx, frame, &hop_rec});
    attempts += hop_rec.attempts;
    cost += hop_rec.cost_usd;
    auto finish = [&] {
      rec = hop_rec;
      rec.attempts = attempts;
      rec.cost_usd = cost;
      rec.fallback_hops = hops;
    };
    if (r.ok()) {
      finish();
      return r;
    }
    const std::string cls =
        hop_rec.error_class.empty() ? error_class_of(r.error) : hop_rec.error_class;
    if (cooldown_ && cooldown_->record_failure(current, cls)) {
      const CooldownConfig& c = cooldown_->config();
      spdlog::warn("provider '{}' failed {} times within {}: skipped for {}", current, c.failures,
                   seconds_text(c.window_seconds), seconds_text(c.seconds));
    }
    auto alt = call.ctx.cancelled() ? std::nullopt : chain_->next_provider(current, cls, tried);
    if (!alt) {
      finish();
      return r;
    }
    move_to(*alt, cls, message_of(r.error));
  }
}

}  // namespace pipeline
