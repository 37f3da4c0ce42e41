#include <pipeline/hybrid/hybrid_config.hpp>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

namespace pipeline {

namespace {

constexpr std::string_view kReferenceFree[] = {"llm_judge", "json_schema", "json_valid", "custom"};

std::optional<double> as_number(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return std::nullopt;
}

// A value as the user wrote it: 0.5, not Boost.JSON's 5E-1.
std::string found(const json::value& v) {
  if (v.is_double()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v.get_double());
    return buf;
  }
  return serialize(v);
}

// The metric type a spec names: "llm_judge", "json_schema:answer" or {type: ...}.
std::string metric_type(const json::value& spec) {
  if (spec.is_string()) {
    std::string_view s = spec.get_string();
    return std::string(s.substr(0, s.find(':')));
  }
  if (spec.is_object()) {
    if (const auto* t = spec.get_object().if_contains("type"); t && t->is_string())
      return std::string(t->get_string());
  }
  return {};
}

// Read one hybrid_config map into `c`; `label` names it in messages.
void read_map(const json::object& map, const SourceRef& at, const std::string& label,
              HybridConfig& c, Diagnostics& diags) {
  auto name = [&](const std::string& key) { return label + " hybrid_config." + key; };
  auto boolean = [&](const std::string& key, const json::value& v, bool& target) {
    if (v.is_bool())
      target = v.get_bool();
    else
      diags.error(at.child(key).where(), name(key) + " must be true or false, found " + found(v));
  };
  // A number in [lo, hi] (open at an end when the flag says so).
  auto number = [&](const std::string& key, const json::value& v, double& target, double lo,
                    double hi, bool lo_open, bool hi_open, const std::string& range) {
    auto x = as_number(v);
    bool ok =
        x && std::isfinite(*x) && (lo_open ? *x > lo : *x >= lo) && (hi_open ? *x < hi : *x <= hi);
    if (ok)
      target = *x;
    else
      diags.error(at.child(key).where(),
                  name(key) + " must be a number " + range + ", found " + found(v));
  };
  using Reader = std::function<void(const std::string&, const json::value&)>;
  const std::map<std::string, Reader> readers{
      {"mode",
       [&](const std::string& k, const json::value& v) {
         std::optional<ExecutionMode> m;
         if (v.is_string()) m = parse_mode(v.get_string());
         if (m)
           c.mode = m;
         else
           diags.error(at.child(k).where(), name(k) + " must be one of " +
                                                std::string(mode_names()) + ", found " + found(v));
       }},
      {"intelligent_routing",
       [&](const std::string& k, const json::value& v) { boolean(k, v, c.intelligent_routing); }},
      {"ab_testing_enabled",
       [&](const std::string& k, const json::value& v) { boolean(k, v, c.ab_testing_enabled); }},
      {"performance_threshold",
       [&](const std::string& k, const json::value& v) {
         number(k, v, c.performance_threshold, 0, 1, false, false, "in [0, 1]");
       }},
      {"fallback_enabled",
       [&](const std::string& k, const json::value& v) { boolean(k, v, c.fallback_enabled); }},
      {"ab_policy",
       [&](const std::string& k, const json::value& v) {
         std::optional<AbPolicy> p;
         if (v.is_string()) p = parse_ab_policy(v.get_string());
         if (p)
           c.ab_policy = *p;
         else
           diags.error(at.child(k).where(),
                       name(k) + " must be one of shadow, split, adaptive, found " + found(v));
       }},
      {"min_samples",
       [&](const std::string& k, const json::value& v) {
         if (v.is_int64() && v.get_int64() >= 1)
           c.min_samples = v.get_int64();
         else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
           c.min_samples = static_cast<std::int64_t>(v.get_uint64());
         else
           diags.error(at.child(k).where(),
                       name(k) + " must be a whole number >= 1, found " + found(v));
       }},
      {"split_share",
       [&](const std::string& k, const json::value& v) {
         number(k, v, c.split_share, 0, 1, false, false, "in [0, 1]");
       }},
      {"confidence",
       [&](const std::string& k, const json::value& v) {
         number(k, v, c.confidence, 0.5, 1, true, true, "in (0.5, 1)");
       }},
      {"metric",
       [&](const std::string& k, const json::value& v) {
         if (is_reference_free_metric(metric_type(v))) {
           c.metric = v;
         } else {
           std::string known;
           for (auto t : kReferenceFree) known += (known.empty() ? "" : ", ") + std::string(t);
           diags.error(at.child(k).where(),
                       name(k) + " must be a reference-free metric (" + known +
                           ": a shadow test has no expected output to compare with), found " +
                           found(v));
         }
       }},
  };
  for (const auto& kv : map) {
    const std::string key(kv.key());
    if (auto it = readers.find(key); it != readers.end()) {
      it->second(key, kv.value());
    } else {
      std::string known;
      for (const auto& r : readers) known += (known.empty() ? "" : ", ") + r.first;
      diags.warning(at.key_where(key),
                    label + ": unknown hybrid_config key '" + key + "' (known: " + known + ")");
    }
  }
}

void read_section(const json::object& owner, const SourceRef& owner_at, const std::string& label,
                  HybridConfig& c, Diagnostics& diags) {
  if (const auto* s = owner.if_contains("hybrid_config")) {
    const SourceRef at = owner_at.child("hybrid_config");
    if (s->is_object())
      read_map(s->get_object(), at, label, c, diags);
    else if (!s->is_null())
      diags.error(at.where(), label + " hybrid_config must be a map, found " + found(*s));
  }
}

void check_execution_mode(const StepConfig& step, Diagnostics& diags) {
  const auto* v = step.raw.if_contains("execution_mode");
  if (v == nullptr || v->is_null()) return;
  const std::string label = "step '" + step.name + "'";
  std::optional<ExecutionMode> m;
  if (v->is_string()) m = parse_mode(v->get_string());
  if (!m) {
    diags.error(step.source.child("execution_mode").where(),
                label + " execution_mode must be one of " + std::string(mode_names()) + ", found " +
                    found(*v));
  } else if (*m != ExecutionMode::kTraditional) {
    // Not silent: the architecture reads only `traditional` here, so the value changes nothing.
    diags.warning(step.source.child("execution_mode").where(),
                  label + " execution_mode: " + std::string(mode_name(*m)) +
                      " has no effect (only `traditional` overrides the run's mode for a step)");
  }
}

}  // namespace

std::string_view ab_policy_name(AbPolicy p) {
  switch (p) {
    case AbPolicy::kShadow:
      return "shadow";
    case AbPolicy::kSplit:
      return "split";
    case AbPolicy::kAdaptive:
      return "adaptive";
  }
  return "shadow";
}

std::optional<AbPolicy> parse_ab_policy(std::string_view text) {
  if (text == "shadow") return AbPolicy::kShadow;
  if (text == "split") return AbPolicy::kSplit;
  if (text == "adaptive") return AbPolicy::kAdaptive;
  return std::nullopt;
}

bool is_reference_free_metric(std::string_view type) {
  for (auto t : kReferenceFree)
    if (t == type) return true;
  return false;
}

std::optional<json::value> shadow_metric(const HybridConfig& c, const StepConfig& step) {
  if (!c.metric.is_null()) return c.metric;
  if (const auto* m = step.raw.if_contains("metric");
      m != nullptr && is_reference_free_metric(metric_type(*m)))
    return *m;
  return std::nullopt;
}

HybridConfig hybrid_config_for(const Workflow& wf, const StepConfig* step, Diagnostics& diags) {
  HybridConfig c;
  read_section(wf.raw, wf.source, "workflow", c, diags);
  if (step != nullptr) read_section(step->raw, step->source, "step '" + step->name + "'", c, diags);
  return c;
}

void validate_hybrid_config(const Workflow& wf, Diagnostics& diags) {
  HybridConfig c;
  read_section(wf.raw, wf.source, "workflow", c, diags);
  for (const auto& step : wf.steps) {
    HybridConfig s = c;
    read_section(step.raw, step.source, "step '" + step.name + "'", s, diags);
    check_execution_mode(step, diags);
  }
}

}  // namespace pipeline
