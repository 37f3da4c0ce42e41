#include "llm_request.hpp"

namespace json = boost::json;

namespace llm_steps {

json::object merged(const json::value* base, const json::value* over) {
  json::object out;
  if (base != nullptr && base->is_object()) out = base->get_object();
  if (over != nullptr && over->is_object()) {
    for (const auto& kv : over->get_object()) out[kv.key()] = kv.value();
  }
  return out;
}

namespace {

const json::object& member_object(const json::object& o, std::string_view key) {
  static const json::object kEmpty;
  auto* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->get_object() : kEmpty;
}

void copy_if(const json::object& from, std::string_view key, json::object& to,
             std::string_view as) {
  if (auto* v = from.if_contains(key); v != nullptr && !v->is_null()) to[as] = *v;
}

json::array user_message(const json::object& input) {
  json::array messages;
  json::object m;
  m["role"] = "user";
  auto* p = input.if_contains("prompt_text");
  m["content"] = p != nullptr && p->is_string() ? p->get_string() : json::string();
  messages.push_back(std::move(m));
  return messages;
}

}  // namespace

json::object claude_request(const json::object& input) {
  const json::object& step = member_object(input, "step");
  const json::object& defaults = member_object(input, "defaults");
  json::object opts = merged(defaults.if_contains("claude_options"), step.if_contains("claude_options"));
  json::object req;
  req["messages"] = user_message(input);
  copy_if(opts, "model", req, "model");
  copy_if(step, "model", req, "model");
  copy_if(opts, "fallback_model", req, "fallback_model");
  std::string system;
  if (auto* s = opts.if_contains("system_prompt"); s && s->is_string()) system = s->get_string();
  if (auto* s = opts.if_contains("append_system_prompt"); s && s->is_string()) {
    system += (system.empty() ? "" : "\n\n") + std::string(s->get_string());
  }
  if (!system.empty()) req["system"] = system;
  copy_if(opts, "max_tokens", req, "max_tokens");
  copy_if(opts, "temperature", req, "temperature");
  copy_if(opts, "stop_sequences", req, "stop");
  if (auto* f = opts.if_contains("output_format"); f && f->is_string() && f->get_string() == "json") {
    req["response_format"] = "json";
  }
  if (auto* t = opts.if_contains("timeout_ms"); t && t->is_number()) req["timeout_ms"] = *t;
  if (auto* p = input.if_contains("provider"); p && p->is_string()) req["provider"] = *p;
  return req;
}

json::object gemini_request(const json::object& input) {
  const json::object& step = member_object(input, "step");
  const json::object& defaults = member_object(input, "defaults");
  json::object budget =
      merged(defaults.if_contains("gemini_token_budget"), step.if_contains("token_budget"));
  json::object req;
  req["messages"] = user_message(input);
  copy_if(defaults, "gemini_model", req, "model");
  copy_if(step, "model", req, "model");
  copy_if(budget, "max_output_tokens", req, "max_tokens");
  copy_if(budget, "temperature", req, "temperature");
  copy_if(budget, "top_p", req, "top_p");
  copy_if(budget, "top_k", req, "top_k");
  if (auto* p = input.if_contains("provider"); p && p->is_string()) req["provider"] = *p;
  return req;
}

json::object step_result(const json::object& response, const std::string& provider) {
  json::object out;
  out["success"] = true;
  for (const char* key : {"text", "model", "finish_reason", "input_tokens", "output_tokens",
                          "cost_usd", "request_id", "cached"}) {
    if (auto* v = response.if_contains(key)) out[key] = *v;
  }
  if (!out.contains("text")) out["text"] = "";
  out["provider"] = provider;
  return out;
}

}  // namespace llm_steps
