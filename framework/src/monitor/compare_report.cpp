#include <pipeline/hybrid/ab_assignment.hpp>
#include <pipeline/hybrid/hybrid_config.hpp>
#include <pipeline/monitor/compare_report.hpp>
#include <pipeline/monitor/mode_comparison.hpp>
#include <pipeline/monitor/mode_stats.hpp>
#include <pipeline/monitor/variant_evidence.hpp>

#include <cstdio>
#include <sstream>

namespace pipeline {

namespace {

double num(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return 0;
}

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

Result<json::object> step_report(const Workflow& wf, const StepConfig& step, const History& history,
                                 const CompareOptions& o, bool skip_without_history) {
  Diagnostics ignored;  // the config's problems are validate's to report
  const HybridConfig cfg = hybrid_config_for(wf, &step, ignored);
  auto ev = variant_evidence(
      history, {.workflow = wf.name, .step = step.name, .since_unix_ms = o.since_unix_ms});
  if (!ev) return ev.status();
  if (skip_without_history && ev->records == 0) return json::object{};
  return compare_step(step.name, ev->traditional, ev->dspy, cfg);
}

void stats_rows(std::ostringstream& out, const json::object& t, const json::object& d) {
  auto row = [&](const std::string& label, const std::string& a, const std::string& b) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-14s %-26s %s\n", label.c_str(), a.c_str(), b.c_str());
    out << buf;
  };
  auto quality = [](const json::object& m) {
    const auto& q = m.at("quality").as_object();
    if (q.at("mean").is_null()) return std::string("-");
    return fmt("%.3f", num(q.at("mean"))) + " [" + fmt("%.3f", num(q.at("ci_low"))) + ", " +
           fmt("%.3f", num(q.at("ci_high"))) + "] n=" + std::to_string(q.at("n").as_int64());
  };
  auto latency = [](const json::object& m, const char* k) {
    return fmt("%.1f ms", num(m.at("latency_ms").at(k)));
  };
  row("", "traditional", "dspy_optimized");
  row("n", std::to_string(t.at("n").as_int64()), std::to_string(d.at("n").as_int64()));
  row("quality", quality(t), quality(d));
  row("latency p50", latency(t, "p50"), latency(d, "p50"));
  row("latency p95", latency(t, "p95"), latency(d, "p95"));
  row("cost/call", fmt("$%.6f", num(t.at("cost_usd"))), fmt("$%.6f", num(d.at("cost_usd"))));
  row("success rate", fmt("%.1f%%", 100 * num(t.at("success_rate"))),
      fmt("%.1f%%", 100 * num(d.at("success_rate"))));
}

}  // namespace

json::object compare_step(std::string_view step, const ModeStats& t, const ModeStats& d,
                          const HybridConfig& cfg) {
  const ModeComparison c = compare_modes(t, d, cfg.min_samples);
  json::object s{{"step", step},
                 {"traditional", t.to_json()},
                 {"dspy_optimized", d.to_json()},
                 {"difference", c.difference.to_json()},
                 {"recommendation", recommendation_name(c.recommendation)},
                 {"reason", c.reason}};
  if (c.need_more_data())
    s["samples_needed"] =
        json::object{{"traditional", c.traditional_needed}, {"dspy_optimized", c.dspy_needed}};
  if (cfg.ab_policy == AbPolicy::kAdaptive)
    s["adaptive"] = adaptive_decision(t, d, cfg.confidence, cfg.min_samples).to_json();
  return s;
}

Result<json::object> compare_report(const Workflow& wf, const History& history,
                                    const CompareOptions& o) {
  json::array steps;
  if (!o.step.empty()) {
    const StepConfig* found = nullptr;
    std::string known;
    for (const StepConfig& s : wf.steps) {
      if (s.name == o.step) found = &s;
      known += (known.empty() ? "" : ", ") + s.name;
    }
    if (found == nullptr)
      return invalid_argument("--step: workflow '" + wf.name + "' has no step '" + o.step +
                              "' (steps: " + known + ")");
    auto s = step_report(wf, *found, history, o, false);
    if (!s) return s.status();
    steps.push_back(std::move(*s));
  } else {
    for (const StepConfig& step : wf.steps) {
      // A step without a signature has no optimized variant; it is shown only if the history
      // holds records of it anyway (`pipeline evaluate` of an inline signature).
      auto s = step_report(wf, step, history, o, !step.raw.contains("signature"));
      if (!s) return s.status();
      if (!s->empty()) steps.push_back(std::move(*s));
    }
  }
  return json::object{{"workflow", wf.name}, {"steps", std::move(steps)}};
}

std::string format_compare_report(const json::object& report) {
  std::ostringstream out;
  const auto& steps = report.at("steps").as_array();
  if (steps.empty()) {
    out << "workflow " << report.at("workflow").as_string().c_str()
        << ": no step with a signature or recorded history\n";
    return out.str();
  }
  bool first = true;
  for (const auto& v : steps) {
    const json::object& s = v.as_object();
    if (!first) out << "\n";
    first = false;
    out << "step " << s.at("step").as_string().c_str() << "\n";
    stats_rows(out, s.at("traditional").as_object(), s.at("dspy_optimized").as_object());
    const json::object& diff = s.at("difference").as_object();
    out << "  difference     quality "
        << (diff.at("quality").is_null() ? std::string("-") : fmt("%+.3f", num(diff.at("quality"))))
        << ", time " << fmt("%+.1f ms", num(diff.at("execution_time_ms"))) << ", cost "
        << fmt("%+.6f", num(diff.at("cost_usd"))) << " USD, success rate "
        << fmt("%+.1f", 100 * num(diff.at("success_rate"))) << " points\n";
    out << "  " << s.at("recommendation").as_string().c_str() << ": "
        << s.at("reason").as_string().c_str() << "\n";
    if (const auto* a = s.if_contains("adaptive")) {
      const json::object& d = a->as_object();
      const bool decided = d.at("decided").as_bool();
      out << "  adaptive A/B   " << (decided ? "decided: " : "running: ")
          << d.at("winner").as_string().c_str()
          << (decided ? " is better with probability " : " leads, better with probability ")
          << fmt("%.3f", num(d.at("probability"))) << "\n";
    }
  }
  return out.str();
}

}  // namespace pipeline
