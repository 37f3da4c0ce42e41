#include "step_json.hpp"

#include <pipeline/plugin.hpp>

namespace control_steps {

const json::object& step_of(const json::value& input) {
  const auto* o = input.if_object();
  const auto* s = o ? o->if_contains("step") : nullptr;
  if (s == nullptr || !s->is_object()) {
    throw pipeline::sdk::Error(PL_INVALID_ARGUMENT, "step input has no 'step' object");
  }
  return s->get_object();
}

std::string string_or(const json::object& o, std::string_view key, std::string_view fallback) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fallback);
}

int64_t int_or(const json::object& o, std::string_view key, int64_t fallback) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return fallback;
  return v->to_number<int64_t>();
}

bool bool_or(const json::object& o, std::string_view key, bool fallback) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() ? v->get_bool() : fallback;
}

void Diagnostics::add(std::string_view field, std::string_view message, std::string_view severity) {
  items_.push_back(json::object{{"field", field}, {"message", message}, {"severity", severity}});
}

}  // namespace control_steps
