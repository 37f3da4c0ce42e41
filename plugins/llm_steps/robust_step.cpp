#include "claude_options.hpp"
#include "llm_request.hpp"
#include "steps.hpp"

#include <pipeline/sdk/json_parse.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace llm_steps {

namespace {

const std::set<std::string> kStrategies = {"exponential", "linear", "fixed"};
const std::set<std::string> kFallbacks = {"graceful_degradation", "cached_response",
                                          "simplified_prompt", "emergency_response", "fail"};

std::string str(const json::object& o, std::string_view k, std::string_view fb = {}) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fb);
}

int64_t integer(const json::object& o, std::string_view k, int64_t fb) {
  auto* v = o.if_contains(k);
  return v && v->is_number() ? v->to_number<int64_t>() : fb;
}

// pipeline_ex's retry condition names for a provider error class (docs/abi.md classes).
std::string condition_of(int32_t status, const std::string& error) {
  boost::system::error_code ec;
  json::value v = pipeline::sdk::parse_json(error, ec);
  std::string cls = !ec && v.is_object() ? str(v.get_object(), "class") : "";
  if (status == PL_DEADLINE_EXCEEDED || cls == "timeout") return "timeout";
  if (status == PL_RESOURCE_EXHAUSTED || cls == "rate_limit") return "rate_limit";
  if (cls == "network" || status == PL_UNAVAILABLE) return "api_error";
  if (cls == "server_error" || cls == "overloaded") return "api_error";
  return cls.empty() ? "error" : cls;
}

bool retryable(const std::string& condition, const json::array& conditions) {
  if (conditions.empty()) return condition != "auth" && condition != "invalid_request";
  for (const auto& c : conditions) {
    if (c.is_string() && (c.get_string() == condition || c.get_string() == "any")) return true;
  }
  return false;
}

}  // namespace

int64_t backoff_ms(const std::string& strategy, int64_t base, int attempt, int64_t cap) {
  double d = strategy == "exponential" ? base * std::pow(2.0, attempt)
             : strategy == "linear"    ? static_cast<double>(base) * (attempt + 1)
                                       : static_cast<double>(base);
  return std::min<int64_t>(static_cast<int64_t>(d), cap);
}

std::string RobustStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value parsed = pipeline::sdk::parse_json(input_json);
  json::object input = with_preset(parsed.as_object());
  const json::object& step = input["step"].as_object();
  json::object retry;
  if (auto* r = step.if_contains("retry_config"); r && r->is_object()) retry = r->get_object();
  const int max_retries =
      static_cast<int>(std::clamp<int64_t>(integer(retry, "max_retries", 3), 0, 20));
  const std::string strategy = str(retry, "backoff_strategy", "exponential");
  const int64_t base = integer(retry, "base_delay_ms", 1000);
  const int64_t cap = integer(retry, "max_delay_ms", 30000);
  json::array conditions;
  if (auto* c = retry.if_contains("retry_conditions"); c && c->is_array())
    conditions = c->get_array();
  const std::string step_name = str(input, "step_name");
  const std::string provider = provider_of(input);

  json::object request = claude_request(input);
  require_prompt_text(request);
  std::string last_error;
  std::string last_condition;
  int attempts = 0;
  for (int attempt = 0; attempt <= max_retries; ++attempt) {
    ++attempts;
    auto r = host().complete(ctx, json::serialize(request));
    if (r.ok()) {
      json::object result = step_result(pipeline::sdk::parse_json(r.body).as_object(), provider);
      result["attempts"] = attempts;
      {
        std::lock_guard lock(mu_);
        last_good_[step_name] = result;
      }
      return json::serialize(json::object{{"output", std::move(result)}});
    }
    last_error = r.error;
    last_condition = condition_of(r.status, r.error);
    if (r.status == PL_CANCELLED || !retryable(last_condition, conditions) ||
        attempt == max_retries)
      break;
    // Sleep in slices so cancellation is honoured during long backoffs.
    auto until = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(backoff_ms(strategy, base, attempt, cap));
    while (std::chrono::steady_clock::now() < until) {
      if (ctx.cancelled()) throw Error(PL_CANCELLED, "claude_robust cancelled during backoff");
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          until - std::chrono::steady_clock::now(), std::chrono::milliseconds(10)));
    }
  }

  const std::string action = str(retry, "fallback_action", "fail");
  json::object result{{"success", false},          {"attempts", attempts},
                      {"error", last_error},       {"error_condition", last_condition},
                      {"fallback_action", action}, {"provider", provider}};
  if (action == "cached_response") {
    std::lock_guard lock(mu_);
    if (auto it = last_good_.find(step_name); it != last_good_.end()) {
      json::object cached = it->second;
      cached["from_cache"] = true;
      cached["fallback_action"] = action;
      return json::serialize(json::object{{"output", std::move(cached)}});
    }
  }
  if (action == "simplified_prompt") {
    std::string prompt = str(input, "prompt_text");
    if (prompt.size() > 500) prompt.resize(500);
    request["messages"] = json::array{
        json::object{{"role", "user"}, {"content", "Answer briefly and simply:\n" + prompt}}};
    auto r = host().complete(ctx, json::serialize(request));
    if (r.ok()) {
      json::object simplified =
          step_result(pipeline::sdk::parse_json(r.body).as_object(), provider);
      simplified["attempts"] = attempts + 1;
      simplified["fallback_action"] = action;
      simplified["simplified"] = true;
      return json::serialize(json::object{{"output", std::move(simplified)}});
    }
  }
  if (action == "emergency_response") {
    result["text"] =
        "The service is temporarily unavailable; this is an emergency fallback response.";
    return json::serialize(json::object{{"output", std::move(result)}});
  }
  if (action == "graceful_degradation" || action == "cached_response" ||
      action == "simplified_prompt") {
    result["text"] = "";
    result["degraded"] = true;
    host().warn("claude_robust '" + step_name + "': all " + std::to_string(attempts) +
                " attempt(s) failed; degraded result (" + action + ")");
    return json::serialize(json::object{{"output", std::move(result)}});
  }
  throw Error(PL_UNAVAILABLE,
              "claude_robust: " + std::to_string(attempts) + " attempt(s) failed: " + last_error);
}

std::string RobustStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  const json::object& step = v.as_object();
  json::array d;
  require_prompt(step, d);
  check_claude_options(step, d);
  auto* r = step.if_contains("retry_config");
  if (r == nullptr) return json::serialize(d);
  if (!r->is_object()) {
    add_diag(d, "retry_config", "retry_config must be a map");
    return json::serialize(d);
  }
  const auto& o = r->get_object();
  if (auto s = str(o, "backoff_strategy"); !s.empty() && !kStrategies.count(s)) {
    add_diag(d, "retry_config.backoff_strategy",
             "backoff_strategy must be exponential, linear or fixed");
  }
  if (auto s = str(o, "fallback_action"); !s.empty() && !kFallbacks.count(s)) {
    add_diag(d, "retry_config.fallback_action",
             "fallback_action must be graceful_degradation, cached_response, simplified_prompt, "
             "emergency_response or fail");
  }
  if (integer(o, "max_retries", 0) < 0)
    add_diag(d, "retry_config.max_retries", "max_retries must be >= 0");
  return json::serialize(d);
}

}  // namespace llm_steps
