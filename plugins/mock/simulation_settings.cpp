#include "simulation_settings.hpp"

#include <pipeline/plugin.hpp>

namespace json = boost::json;

namespace pipeline::mock {

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& why) {
  throw pipeline::sdk::Error(PL_INVALID_ARGUMENT, "mock: simulate." + key + ": " + why);
}

double number(const json::value& v, const std::string& key) {
  if (!v.is_number()) bad(key, "expected a number, found " + json::serialize(v));
  return v.to_number<double>();
}

int whole(const json::value& v, const std::string& key, int min) {
  if (!v.is_int64() && !v.is_uint64())
    bad(key, "expected a whole number, found " + json::serialize(v));
  const int64_t n = v.is_int64() ? v.get_int64() : static_cast<int64_t>(v.get_uint64());
  if (n < min || n > 1000000)
    bad(key, "must be between " + std::to_string(min) + " and 1000000, found " + std::to_string(n));
  return static_cast<int>(n);
}

}  // namespace

SimulationSettings SimulationSettings::from_config(const json::value& v) {
  SimulationSettings s;
  if (v.is_bool()) {
    s.enabled = v.get_bool();
    return s;
  }
  if (v.is_null()) return s;
  if (!v.is_object()) bad("", "expected true, false or a mapping");
  s.enabled = true;
  for (const auto& kv : v.get_object()) {
    const std::string key(kv.key());
    const json::value& x = kv.value();
    if (key == "enabled") {
      if (!x.is_bool()) bad(key, "expected true or false");
      s.enabled = x.get_bool();
    } else if (key == "seed") {
      if (x.is_uint64()) {
        s.seed = x.get_uint64();
      } else if (x.is_int64() && x.get_int64() >= 0) {
        s.seed = static_cast<uint64_t>(x.get_int64());
      } else {
        bad(key, "expected a whole number of 0 or more, found " + json::serialize(x));
      }
    } else if (key == "noise") {
      s.noise = number(x, key);
      if (s.noise < 0.0 || s.noise > 1.0) bad(key, "must be between 0 and 1");
    } else if (key == "min_overlap") {
      s.min_overlap = whole(x, key, 1);
    } else if (key == "fallback") {
      if (!x.is_string()) bad(key, "expected a label");
      s.fallback = x.get_string();
    } else if (key == "rule_min_support") {
      s.derivation.min_support = whole(x, key, 1);
    } else if (key == "rule_min_purity") {
      s.derivation.min_purity = number(x, key);
      if (s.derivation.min_purity <= 0.0 || s.derivation.min_purity > 1.0)
        bad(key, "must be above 0 and at most 1");
    } else if (key == "rule_max_words") {
      s.derivation.max_words = whole(x, key, 1);
    } else if (key == "reflection_words") {
      s.reflection_words = whole(x, key, 1);
    } else {
      bad(key,
          "unknown setting (known: enabled, seed, noise, min_overlap, fallback, rule_min_support, "
          "rule_min_purity, rule_max_words, reflection_words)");
    }
  }
  return s;
}

}  // namespace pipeline::mock
