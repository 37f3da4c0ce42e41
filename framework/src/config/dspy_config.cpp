#include <pipeline/config/dspy_config.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace pipeline {

namespace {

constexpr std::chrono::seconds kDay{24 * 3600};

// Read one dspy_config map into `c`; `label` names it in messages.
void read_map(const json::object& map, const SourceRef& at, const std::string& label,
              bool step_level, DspyConfig& c, Diagnostics& diags) {
  auto boolean = [&](const std::string& key, const json::value& v, bool& target) {
    if (v.is_bool())
      target = v.get_bool();
    else
      diags.error(at.child(key).where(),
                  label + " dspy_config." + key + " must be true or false, found " + serialize(v));
  };
  auto text = [&](const std::string& key, const json::value& v, std::string& target) {
    if (v.is_string() && !v.get_string().empty())
      target = std::string(v.get_string());
    else
      diags.error(at.child(key).where(), label + " dspy_config." + key +
                                             " must be a non-empty string, found " + serialize(v));
  };
  auto number = [&](const std::string& key, const json::value& v, double& target) {
    double x = v.is_double()   ? v.get_double()
               : v.is_int64()  ? static_cast<double>(v.get_int64())
               : v.is_uint64() ? static_cast<double>(v.get_uint64())
                               : -1;
    if (x >= 0 && std::isfinite(x))
      target = x;
    else
      diags.error(at.child(key).where(), label + " dspy_config." + key +
                                             " must be a number of seconds >= 0, found " +
                                             serialize(v));
  };
  auto count = [&](const std::string& key, const json::value& v, std::int64_t& target) {
    if (v.is_int64() && v.get_int64() >= 0)
      target = v.get_int64();
    else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      target = static_cast<std::int64_t>(v.get_uint64());
    else
      diags.error(at.child(key).where(), label + " dspy_config." + key +
                                             " must be a whole number >= 0, found " + serialize(v));
  };

  // `optimizer` wins over `evaluation_mode` whatever their order in the map.
  const bool optimizer_written = map.contains("optimizer");
  using Reader = std::function<void(const std::string&, const json::value&)>;
  const std::map<std::string, Reader> readers{
      {"optimization_enabled",
       [&](const std::string& k, const json::value& v) { boolean(k, v, c.optimization_enabled); }},
      {"hybrid_mode",
       [&](const std::string& k, const json::value& v) { boolean(k, v, c.hybrid_mode); }},
      {"evaluation_mode",
       [&](const std::string& k, const json::value& v) {
         text(k, v, c.evaluation_mode);
         if (!optimizer_written) c.optimizer = c.evaluation_mode;
       }},
      {"optimizer", [&](const std::string& k, const json::value& v) { text(k, v, c.optimizer); }},
      {"training_data_path",
       [&](const std::string& k, const json::value& v) { text(k, v, c.training_data_path); }},
      {"cache_enabled",
       [&](const std::string& k, const json::value& v) { boolean(k, v, c.cache_enabled); }},
      {"fallback_strategy",
       [&](const std::string& k, const json::value& v) { text(k, v, c.fallback_strategy); }},
      {"optimization_frequency",
       [&](const std::string& k, const json::value& v) {
         std::optional<OptimizationFrequency> f;
         if (v.is_string()) f = OptimizationFrequency::parse(v.get_string());
         if (f)
           c.optimization_frequency = *f;
         else
           diags.error(at.child(k).where(),
                       label +
                           " dspy_config.optimization_frequency must be one of daily, "
                           "weekly, monthly, adaptive, found " +
                           serialize(v));
       }},
      {"max_optimization_seconds",
       [&](const std::string& k, const json::value& v) {
         number(k, v, c.max_optimization_seconds);
       }},
      {"max_optimization_calls",
       [&](const std::string& k, const json::value& v) { count(k, v, c.max_optimization_calls); }},
      {"lazy_optimization",
       [&](const std::string& k, const json::value& v) { boolean(k, v, c.lazy_optimization); }},
  };
  for (const auto& kv : map) {
    const std::string key(kv.key());
    if (auto it = readers.find(key); it != readers.end()) {
      it->second(key, kv.value());
    } else if (!(step_level && key == "chain_of_thought")) {  // read by the DSPy step layer
      std::string known;
      for (const auto& r : readers) known += (known.empty() ? "" : ", ") + r.first;
      if (step_level) known += ", chain_of_thought";
      diags.warning(at.key_where(key),
                    label + ": unknown dspy_config key '" + key + "' (known: " + known + ")");
    }
  }
}

}  // namespace

std::chrono::seconds OptimizationFrequency::max_age(int unimproved) const {
  switch (kind) {
    case Kind::kDaily:
      return kDay;
    case Kind::kWeekly:
      return 7 * kDay;
    case Kind::kMonthly:
      return 30 * kDay;
    case Kind::kAdaptive:
      break;
  }
  // Doubling from one day reaches the 30-day cap after five unimproved rounds (32 > 30).
  int doublings = std::clamp(unimproved, 0, 5);
  return std::min<std::chrono::seconds>(kDay * (1 << doublings), 30 * kDay);
}

std::optional<OptimizationFrequency> OptimizationFrequency::parse(std::string_view text) {
  if (text == "daily") return OptimizationFrequency{Kind::kDaily};
  if (text == "weekly") return OptimizationFrequency{Kind::kWeekly};
  if (text == "monthly") return OptimizationFrequency{Kind::kMonthly};
  if (text == "adaptive") return OptimizationFrequency{Kind::kAdaptive};
  return std::nullopt;
}

std::string OptimizationFrequency::name() const {
  switch (kind) {
    case Kind::kDaily:
      return "daily";
    case Kind::kWeekly:
      return "weekly";
    case Kind::kMonthly:
      return "monthly";
    case Kind::kAdaptive:
      return "adaptive";
  }
  return "weekly";
}

namespace {

void read_step(const StepConfig& step, DspyConfig& c, Diagnostics& diags) {
  if (const auto* s = step.raw.if_contains("dspy_config")) {
    const SourceRef at = step.source.child("dspy_config");
    const std::string label = "step '" + step.name + "'";
    if (s->is_object())
      read_map(s->get_object(), at, label, true, c, diags);
    else if (!s->is_null())
      diags.error(at.where(), label + " dspy_config must be a map, found " + serialize(*s));
  }
}

void read_workflow(const Workflow& wf, DspyConfig& c, Diagnostics& diags) {
  if (const auto* w = wf.raw.if_contains("dspy_config")) {
    const SourceRef at = wf.source.child("dspy_config");
    if (w->is_object())
      read_map(w->get_object(), at, "workflow", false, c, diags);
    else if (!w->is_null())
      diags.error(at.where(), "workflow dspy_config must be a map, found " + serialize(*w));
  }
}

}  // namespace

DspyConfig dspy_config_for(const Workflow& wf, const StepConfig* step, Diagnostics& diags) {
  DspyConfig c;
  read_workflow(wf, c, diags);
  if (step != nullptr) read_step(*step, c, diags);
  return c;
}

void validate_dspy_config(const Workflow& wf, Diagnostics& diags) {
  DspyConfig c;
  read_workflow(wf, c, diags);
  for (const auto& step : wf.steps) {
    DspyConfig s = c;
    read_step(step, s, diags);
  }
}

}  // namespace pipeline
