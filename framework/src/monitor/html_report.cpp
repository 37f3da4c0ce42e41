#include <pipeline/hybrid/hybrid_config.hpp>
#include <pipeline/monitor/compare_report.hpp>
#include <pipeline/monitor/html_report.hpp>
#include <pipeline/monitor/mode_stats.hpp>
#include <pipeline/monitor/svg_chart.hpp>
#include <pipeline/monitor/time_buckets.hpp>
#include <pipeline/util/html_escape.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

namespace pipeline {

namespace {

using Records = std::vector<const StepRecord*>;

constexpr std::string_view kTraditional = "traditional";
constexpr std::string_view kDspy = "dspy_optimized";

// No external font, no url(): the page must render the same from a mail attachment.
constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: #1d2330; background: #f6f7f9; margin: 0; padding: 24px 32px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 8px; }
h3 { font-size: 16px; margin: 20px 0 8px; }
h4 { font-size: 14px; margin: 14px 0 6px; }
.meta { color: #5b6475; margin: 0 0 16px; }
section.card { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 16px 20px;
               margin: 0 0 20px; }
section.step { border-top: 1px solid #e6e9ef; margin-top: 16px; padding-top: 4px; }
table { border-collapse: collapse; margin: 4px 0 8px; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #eceef2; vertical-align: top; }
th { font-weight: 600; color: #3a4254; background: #f1f3f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.summary td:first-child { color: #5b6475; }
.name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
         font-weight: 600; background: #e8eaf0; }
.rec-recommend_dspy { background: #ffe7cc; color: #8a4300; }
.rec-recommend_traditional { background: #d7e8fa; color: #114a85; }
.rec-recommend_hybrid { background: #dcf2df; color: #1b5e20; }
.rec-recommend_evaluation { background: #eeeeee; color: #444; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { background: #fff; border: 1px solid #e6e9ef; border-radius: 6px; max-width: 100%;
            height: auto; }
svg.chart .chart-title { font-size: 13px; font-weight: 600; fill: #1d2330; }
svg.chart .axis, svg.chart .legend { font-size: 11px; fill: #5b6475; }
svg.chart .chart-empty { font-size: 13px; fill: #8a93a5; }
svg.chart .grid { stroke: #eceef2; stroke-width: 1; }
.empty { font-size: 16px; color: #5b6475; }
.note { color: #5b6475; font-size: 12px; }
nav ul { margin: 4px 0 0; padding-left: 20px; }
)css";

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

std::string percent(double part, double whole) {
  return whole > 0 ? fmt("%.1f%%", 100 * part / whole) : std::string("-");
}

std::string usd(double v) {
  return format_chart_value(v, ChartUnit::kUsd);
}

std::string human_span(std::int64_t ms) {
  const double s = static_cast<double>(ms) / 1000;
  if (s < 120) return fmt("%.0f s", s);
  if (s < 7200) return fmt("%.0f min", s / 60);
  if (s < 2 * 86400) return fmt("%.1f h", s / 3600);
  return fmt("%.1f days", s / 86400);
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string escaped_name(std::string_view name) {
  return "<span class=\"name\">" + html_escape(name) + "</span>";
}

// The variants in the order the page shows them: the two the comparison is about first.
std::vector<std::string> variants_of(const Records& rs) {
  std::set<std::string> others;
  bool trad = false, dspy = false;
  for (const StepRecord* r : rs) {
    if (r->variant == kTraditional)
      trad = true;
    else if (r->variant == kDspy)
      dspy = true;
    else
      others.insert(r->variant);
  }
  std::vector<std::string> out;
  if (trad) out.emplace_back(kTraditional);
  if (dspy) out.emplace_back(kDspy);
  out.insert(out.end(), others.begin(), others.end());
  return out;
}

ModeStats summarize_ptrs(const Records& rs) {
  std::vector<StepRecord> copy;
  copy.reserve(rs.size());
  for (const StepRecord* r : rs) copy.push_back(*r);
  return summarize(copy);
}

Records with_variant(const Records& rs, std::string_view variant) {
  Records out;
  for (const StepRecord* r : rs)
    if (r->variant == variant) out.push_back(r);
  return out;
}

std::int64_t count_runs(const Records& rs) {
  std::set<std::string_view> ids;
  for (const StepRecord* r : rs)
    if (!r->run_id.empty()) ids.insert(r->run_id);
  return static_cast<std::int64_t>(ids.size());
}

double total_cost(const Records& rs) {
  double c = 0;
  for (const StepRecord* r : rs) c += r->cost_usd;
  return c;
}

std::int64_t cache_hits(const Records& rs) {
  std::int64_t n = 0;
  for (const StepRecord* r : rs) n += r->cache_hit ? 1 : 0;
  return n;
}

// "hybrid 12, traditional 3" for a member of the records.
std::string counts_line(const Records& rs, std::string StepRecord::*member) {
  std::map<std::string, std::int64_t> counts;
  for (const StepRecord* r : rs) ++counts[(*r).*member];
  std::string out;
  for (const auto& [k, n] : counts)
    out += (out.empty() ? "" : ", ") + escaped_name(k.empty() ? "(none)" : k) + " " +
           std::to_string(n);
  return out;
}

struct StepGroup {
  std::string name;
  Records records;
  HybridConfig config;
  bool config_from_workflow = false;
};

struct WorkflowGroup {
  std::string name;
  Records records;
  std::vector<StepGroup> steps;
};

std::vector<WorkflowGroup> group(std::span<const StepRecord> records, const Workflow* wf) {
  std::map<std::string, std::map<std::string, Records>> by_name;
  for (const StepRecord& r : records) by_name[r.workflow][r.step].push_back(&r);
  std::vector<WorkflowGroup> out;
  for (auto& [name, steps] : by_name) {
    WorkflowGroup g{.name = name, .records = {}, .steps = {}};
    const bool configured = wf != nullptr && wf->name == name;
    Diagnostics ignored;  // the config's problems are validate's to report, as in compare
    if (configured) {
      for (const StepConfig& s : wf->steps) {
        auto it = steps.find(s.name);
        if (it == steps.end()) continue;
        g.steps.push_back({.name = s.name,
                           .records = std::move(it->second),
                           .config = hybrid_config_for(*wf, &s, ignored),
                           .config_from_workflow = true});
        steps.erase(it);
      }
    }
    for (auto& [step, rs] : steps)
      g.steps.push_back(
          {.name = step,
           .records = std::move(rs),
           .config = configured ? hybrid_config_for(*wf, nullptr, ignored) : HybridConfig{},
           .config_from_workflow = configured});
    for (const StepGroup& s : g.steps)
      g.records.insert(g.records.end(), s.records.begin(), s.records.end());
    out.push_back(std::move(g));
  }
  return out;
}

// One value per bucket: the mean of `value` over the variant's records in it that have one.
template <typename Value>
std::vector<std::optional<double>> bucket_means(const Records& rs, const TimeBuckets& b,
                                                Value value) {
  std::vector<double> sum(b.count, 0);
  std::vector<std::int64_t> n(b.count, 0);
  for (const StepRecord* r : rs) {
    const std::optional<double> v = value(*r);
    if (!v) continue;
    const std::size_t i = b.index_of(r->unix_ms);
    sum[i] += *v;
    ++n[i];
  }
  std::vector<std::optional<double>> out(b.count);
  for (std::size_t i = 0; i < b.count; ++i)
    if (n[i] > 0) out[i] = sum[i] / static_cast<double>(n[i]);
  return out;
}

std::string quality_cell(const ModeStats& s) {
  if (s.quality_n == 0) return "-";
  return fmt("%.3f", s.quality_mean) + " [" + fmt("%.3f", s.quality_ci_low) + ", " +
         fmt("%.3f", s.quality_ci_high) + "]";
}

void variants_table(std::ostringstream& out, const StepGroup& step) {
  out << "<table class=\"variants\"><thead><tr><th>variant</th><th class=\"num\">executions</th>"
         "<th class=\"num\">scored</th><th>quality mean [95% interval]</th>"
         "<th class=\"num\">latency p50</th><th class=\"num\">latency p95</th>"
         "<th class=\"num\">cost/call</th><th class=\"num\">total cost</th>"
         "<th class=\"num\">success</th><th class=\"num\">cache hit rate</th>"
         "<th class=\"num\">fallback hops</th><th class=\"num\">host overhead</th></tr></thead>"
         "<tbody>";
  for (const std::string& v : variants_of(step.records)) {
    const Records rs = with_variant(step.records, v);
    const ModeStats s = summarize_ptrs(rs);
    std::int64_t hops = 0;
    double overhead = 0;  // the step's time outside its LLM calls: what the host itself costs
    for (const StepRecord* r : rs) {
      hops += r->fallback_hops;
      overhead += r->host_overhead_ms;
    }
    out << "<tr><td>" << escaped_name(v.empty() ? "(none)" : v) << "</td><td class=\"num\">"
        << s.count << "</td><td class=\"num\">" << s.quality_n << "</td><td>" << quality_cell(s)
        << "</td><td class=\"num\">" << fmt("%.1f ms", s.latency_p50_ms)
        << "</td><td class=\"num\">" << fmt("%.1f ms", s.latency_p95_ms)
        << "</td><td class=\"num\">" << usd(s.cost_per_call) << "</td><td class=\"num\">"
        << usd(s.total_cost) << "</td><td class=\"num\">" << fmt("%.1f%%", 100 * s.success_rate)
        << "</td><td class=\"num\">"
        << percent(static_cast<double>(cache_hits(rs)), static_cast<double>(rs.size()))
        << "</td><td class=\"num\">" << hops << "</td><td class=\"num\">"
        << fmt("%.1f ms", rs.empty() ? 0 : overhead / static_cast<double>(rs.size()))
        << "</td></tr>";
  }
  out << "</tbody></table>";
}

std::string num_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return fmt("%.3f", v.get_double());
  return "-";
}

void decision(std::ostringstream& out, const StepGroup& step, const json::object& c) {
  const std::string rec(c.at("recommendation").as_string());
  out << "<p class=\"decision\"><span class=\"badge rec-" << html_escape(rec) << "\">"
      << html_escape(rec) << "</span> " << html_escape(c.at("reason").as_string()) << "</p>";
  if (const auto* need = c.if_contains("samples_needed")) {
    out << "<p class=\"note\">Scored executions still needed before the rules apply: traditional "
        << num_text(need->at("traditional")) << ", dspy_optimized "
        << num_text(need->at("dspy_optimized")) << " (min_samples " << step.config.min_samples
        << ").</p>";
  }
  if (const auto* a = c.if_contains("adaptive")) {
    const json::object& d = a->as_object();
    const bool decided = d.at("decided").as_bool();
    out << "<p class=\"adaptive\">Adaptive A/B: " << (decided ? "decided, " : "still running, ")
        << escaped_name(d.at("winner").as_string()) << (decided ? " is better" : " leads")
        << " with probability " << num_text(d.at("probability")) << " (stops at confidence "
        << fmt("%.2f", step.config.confidence) << ").</p>";
  }
  out << "<p class=\"note\">A/B policy " << escaped_name(ab_policy_name(step.config.ab_policy))
      << ", min_samples " << step.config.min_samples
      << (step.config_from_workflow ? " (from the workflow's hybrid_config)"
                                    : " (defaults; pass the workflow file for its own settings)")
      << ".</p>";
}

void step_charts(std::ostringstream& out, const StepGroup& step, const TimeBuckets& b) {
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < b.count; ++i) labels.push_back(b.label(i));
  LineChart quality{.title = "quality per variant",
                    .unit = ChartUnit::kScore,
                    .x_labels = labels,
                    .series = {},
                    .y_max = 1.0};
  LineChart cost{.title = "cost per call per variant",
                 .unit = ChartUnit::kUsd,
                 .x_labels = labels,
                 .series = {},
                 .y_max = std::nullopt};
  LineChart latency{.title = "latency per variant (mean)",
                    .unit = ChartUnit::kMilliseconds,
                    .x_labels = labels,
                    .series = {},
                    .y_max = std::nullopt};
  for (const std::string& v : variants_of(step.records)) {
    const Records rs = with_variant(step.records, v);
    const std::string name = v.empty() ? "(none)" : v;
    quality.series.push_back(
        {name, bucket_means(rs, b, [](const StepRecord& r) { return r.quality; })});
    cost.series.push_back({name, bucket_means(rs, b, [](const StepRecord& r) {
                             return std::optional<double>(r.cost_usd);
                           })});
    latency.series.push_back({name, bucket_means(rs, b, [](const StepRecord& r) {
                                return std::optional<double>(r.latency_ms);
                              })});
  }
  out << "<div class=\"charts\">" << svg_line_chart(quality) << svg_line_chart(cost)
      << svg_line_chart(latency) << "</div>";
}

void fallbacks(std::ostringstream& out, const StepGroup& step) {
  // A record keeps the class of its final error only: a step that succeeded after moving along
  // the chain counts as recovered, one that still failed under the class it failed with.
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> by_class;  // records, hops
  for (const StepRecord* r : step.records) {
    if (r->fallback_hops <= 0) continue;
    const std::string cls =
        r->success ? "recovered" : (r->error_class.empty() ? "step_error" : r->error_class);
    auto& [n, hops] = by_class[cls];
    ++n;
    hops += r->fallback_hops;
  }
  out << "<h4>Fallback hops by class</h4>";
  if (by_class.empty()) {
    out << "<p class=\"note\">No execution moved along the fallback chain.</p>";
    return;
  }
  out << "<table class=\"fallbacks\"><thead><tr><th>class</th><th class=\"num\">executions</th>"
         "<th class=\"num\">hops</th></tr></thead><tbody>";
  for (const auto& [cls, v] : by_class)
    out << "<tr><td>" << escaped_name(cls) << "</td><td class=\"num\">" << v.first
        << "</td><td class=\"num\">" << v.second << "</td></tr>";
  out << "</tbody></table><p class=\"note\">recovered: the step succeeded after falling back; "
         "otherwise the class of the error it finally failed with.</p>";
}

void workflow_section(std::ostringstream& out, const WorkflowGroup& g, std::size_t wi,
                      const TimeBuckets& b) {
  std::int64_t first = g.records.front()->unix_ms, last = first;
  for (const StepRecord* r : g.records) {
    first = std::min(first, r->unix_ms);
    last = std::max(last, r->unix_ms);
  }
  out << "<section class=\"card workflow\" id=\"wf-" << wi << "\"><h2>workflow "
      << escaped_name(g.name) << "</h2><p class=\"meta\">" << plural(g.records.size(), "record")
      << ", " << plural(static_cast<std::size_t>(count_runs(g.records)), "run") << ", "
      << usd(total_cost(g.records)) << " total, cache hit rate "
      << percent(static_cast<double>(cache_hits(g.records)), static_cast<double>(g.records.size()))
      << ", " << html_escape(format_utc(first)) << " to " << html_escape(format_utc(last))
      << "</p>";
  // compare's step entries, computed once and shown in the overview and in each step.
  std::vector<json::object> comparisons;
  for (const StepGroup& s : g.steps)
    comparisons.push_back(compare_step(s.name,
                                       summarize_ptrs(with_variant(s.records, kTraditional)),
                                       summarize_ptrs(with_variant(s.records, kDspy)), s.config));
  out << "<h3>Recommendations (pipeline compare)</h3><table class=\"recommendations\"><thead><tr>"
         "<th>step</th><th class=\"num\">traditional</th><th class=\"num\">dspy_optimized</th>"
         "<th>recommendation</th><th>reason</th></tr></thead><tbody>";
  for (std::size_t si = 0; si < g.steps.size(); ++si) {
    const json::object& c = comparisons[si];
    const std::string rec(c.at("recommendation").as_string());
    out << "<tr><td><a href=\"#wf-" << wi << "-step-" << si << "\">"
        << escaped_name(g.steps[si].name) << "</a></td><td class=\"num\">"
        << num_text(c.at("traditional").at("n")) << "</td><td class=\"num\">"
        << num_text(c.at("dspy_optimized").at("n")) << "</td><td><span class=\"badge rec-"
        << html_escape(rec) << "\">" << html_escape(rec) << "</span></td><td>"
        << html_escape(c.at("reason").as_string()) << "</td></tr>";
  }
  out << "</tbody></table>";
  for (std::size_t si = 0; si < g.steps.size(); ++si) {
    const StepGroup& s = g.steps[si];
    out << "<section class=\"step\" id=\"wf-" << wi << "-step-" << si << "\"><h3>step "
        << escaped_name(s.name) << "</h3><p class=\"meta\">" << plural(s.records.size(), "record")
        << "; by run mode: " << counts_line(s.records, &StepRecord::mode)
        << "; by source: " << counts_line(s.records, &StepRecord::source) << "</p>";
    out << "<h4>A/B test</h4>";
    variants_table(out, s);
    decision(out, s, comparisons[si]);
    out << "<h4>Over time (buckets of " << html_escape(b.width_name()) << ", UTC)</h4>";
    step_charts(out, s, b);
    fallbacks(out, s);
    out << "</section>";
  }
  out << "</section>";
}

}  // namespace

std::string html_report(std::span<const StepRecord> records, const HtmlReportOptions& o) {
  std::ostringstream out;
  const std::string scope = o.workflow.empty() ? "all workflows" : "workflow " + o.workflow;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"" << kReportContentSecurityPolicy
      << "\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      << "<title>pipeline report: " << html_escape(scope) << "</title><style>" << kStyle
      << "</style></head><body><header><h1>pipeline report</h1><p class=\"meta\">"
      << html_escape(scope) << ", generated " << html_escape(format_utc(o.generated_unix_ms));
  if (!o.since_text.empty())
    out << ", records since " << html_escape(o.since_text) << " ago ("
        << html_escape(format_utc(o.since_unix_ms)) << ")";
  out << "</p></header>\n";
  if (records.empty()) {
    out << "<section class=\"card\" id=\"summary\"><p class=\"empty\">Nothing recorded yet"
        << (o.since_text.empty() ? "" : " in this period")
        << ".</p><p class=\"note\">Every step a <span class=\"name\">pipeline run</span> executes "
           "leaves a step record in the history (docs/observability.md); run a workflow, then "
           "write the report again.</p></section></body></html>\n";
    return out.str();
  }
  Records all;
  std::int64_t first = records.front().unix_ms, last = first;
  for (const StepRecord& r : records) {
    all.push_back(&r);
    first = std::min(first, r.unix_ms);
    last = std::max(last, r.unix_ms);
  }
  const std::vector<WorkflowGroup> groups = group(records, o.workflow_config);
  const TimeBuckets buckets = choose_time_buckets(first, last);
  out << "<section class=\"card\" id=\"summary\"><h2>Summary</h2><table class=\"summary\"><tbody>"
      << "<tr><td>workflows</td><td class=\"num\">" << groups.size() << "</td></tr>"
      << "<tr><td>runs</td><td class=\"num\">" << count_runs(all) << "</td></tr>"
      << "<tr><td>records</td><td class=\"num\">" << records.size() << "</td></tr>"
      << "<tr><td>total cost</td><td class=\"num\">" << usd(total_cost(all)) << "</td></tr>"
      << "<tr><td>cache hit rate</td><td class=\"num\">"
      << percent(static_cast<double>(cache_hits(all)), static_cast<double>(all.size()))
      << "</td></tr><tr><td>time span</td><td>" << html_escape(format_utc(first)) << " to "
      << html_escape(format_utc(last)) << " (" << html_escape(human_span(last - first))
      << ")</td></tr></tbody></table>";
  BarChart cost{.title = "total cost by workflow", .unit = ChartUnit::kUsd, .bars = {}};
  BarChart count{.title = "records by workflow", .unit = ChartUnit::kCount, .bars = {}};
  for (const WorkflowGroup& g : groups) {
    cost.bars.emplace_back(g.name, total_cost(g.records));
    count.bars.emplace_back(g.name, static_cast<double>(g.records.size()));
  }
  out << "<div class=\"charts\">" << svg_bar_chart(cost) << svg_bar_chart(count) << "</div>";
  out << "<nav><ul>";
  for (std::size_t wi = 0; wi < groups.size(); ++wi)
    out << "<li><a href=\"#wf-" << wi << "\">" << escaped_name(groups[wi].name) << "</a> ("
        << plural(groups[wi].steps.size(), "step") << ")</li>";
  out << "</ul></nav></section>\n";
  for (std::size_t wi = 0; wi < groups.size(); ++wi) {
    workflow_section(out, groups[wi], wi, buckets);
    out << "\n";
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace pipeline
