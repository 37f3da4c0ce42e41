// html_report over records built by hand: the summary, per step the A/B evidence and the same
// recommendation `pipeline compare` gives, the charts, fallback hops by class, the cache hit
// rate, an empty history, hostile names escaped, and nothing in the page that could make a
// request.
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/monitor/compare_report.hpp>
#include <pipeline/monitor/html_report.hpp>
#include <pipeline/monitor/memory_history.hpp>
#include <pipeline/util/html_escape.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

namespace pipeline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// 2026-12-03 00:00:00 UTC
constexpr std::int64_t kDec3 = 1'796'256'000'000;
constexpr std::int64_t kHour = 3'600'000;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

StepRecord rec(const std::string& workflow, const std::string& step, const std::string& variant,
               std::optional<double> quality, std::int64_t at, const std::string& run = "r1") {
  StepRecord r;
  r.workflow = workflow;
  r.step = step;
  r.variant = variant;
  r.mode = "hybrid";
  r.run_id = run;
  r.quality = quality;
  r.cost_usd = 0.001;
  r.latency_ms = variant == "traditional" ? 100 : 150;
  r.unix_ms = at;
  return r;
}

// triage/classify: 6 executions of each variant over six hours, dspy clearly better.
std::vector<StepRecord> triage() {
  std::vector<StepRecord> out;
  for (int i = 0; i < 6; ++i) {
    const std::string run = "run" + std::to_string(i % 3);
    out.push_back(rec("triage", "classify", "traditional", 0.5, kDec3 + i * kHour, run));
    out.push_back(rec("triage", "classify", "dspy_optimized", 0.9, kDec3 + i * kHour, run));
  }
  return out;
}

Workflow load(const std::string& hybrid = "") {
  Diagnostics d;
  auto doc = load_yaml_string("workflow:\n  name: triage\n" + hybrid +
                                  "  steps:\n"
                                  "    - {name: summarize, type: claude, signature: \"t -> s\"}\n"
                                  "    - {name: classify, type: claude, signature: \"t -> l\"}\n",
                              "wf.yaml", d);
  EXPECT_TRUE(doc) << d.format();
  auto wf = parse_workflow(*doc, "wf.yaml", d);
  EXPECT_TRUE(wf) << d.format();
  return *wf;
}

std::string body_of(const std::string& page) {
  return page.substr(page.find("<body>"));
}

TEST(HtmlReport, ThePageIsOneCompleteDocumentWithAPolicyThatForbidsRequests) {
  const auto records = triage();
  const std::string page = html_report(records, {.generated_unix_ms = kDec3});
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(page, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(page, HasSubstr("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                              "'none'; style-src 'unsafe-inline'; img-src data:\">"));
  EXPECT_THAT(page, HasSubstr("</body></html>\n"));
  EXPECT_EQ(count(page, "<section"), count(page, "</section>"));
  EXPECT_EQ(count(page, "<svg"), count(page, "</svg>"));
}

TEST(HtmlReport, NothingInThePageReferencesAResourceOutsideIt) {
  auto records = triage();
  records.push_back(rec("notes", "draft", "traditional", std::nullopt, kDec3));
  const std::string page = html_report(records, {.generated_unix_ms = kDec3});
  EXPECT_THAT(page, Not(HasSubstr("http:")));
  EXPECT_THAT(page, Not(HasSubstr("https:")));
  EXPECT_THAT(page, Not(HasSubstr("//")));
  EXPECT_THAT(page, Not(HasSubstr("url(")));
  EXPECT_THAT(page, Not(HasSubstr("@import")));
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("<link")));
  EXPECT_THAT(page, Not(HasSubstr("<img")));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
  // Links only jump within the page.
  const std::regex href("href=\"([^\"]*)\"");
  std::size_t links = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), href); it != std::sregex_iterator();
       ++it, ++links)
    EXPECT_EQ((*it)[1].str().rfind('#', 0), 0u) << (*it)[1].str();
  EXPECT_GT(links, 0u);
}

TEST(HtmlReport, TheSummaryCountsWorkflowsRunsRecordsCostAndSpan) {
  auto records = triage();
  records.push_back(rec("notes", "draft", "traditional", std::nullopt, kDec3 + 10 * kHour, "n1"));
  const std::string page = html_report(records, {.generated_unix_ms = kDec3 + 11 * kHour});
  EXPECT_THAT(page, HasSubstr("<tr><td>workflows</td><td class=\"num\">2</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>runs</td><td class=\"num\">4</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>records</td><td class=\"num\">13</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>total cost</td><td class=\"num\">$0.0130</td></tr>"));
  EXPECT_THAT(page, HasSubstr("2026-12-03 00:00:00 UTC to 2026-12-03 10:00:00 UTC (10.0 h)"));
  EXPECT_THAT(page, HasSubstr("generated 2026-12-03 11:00:00 UTC"));
  EXPECT_THAT(page, HasSubstr("total cost by workflow"));
}

TEST(HtmlReport, EachStepShowsItsVariantsWithSamplesAndTheQualityInterval) {
  auto records = triage();
  records[0].quality = 0.3;  // a spread, so the interval is not a point
  const std::string page = html_report(records, {.generated_unix_ms = kDec3});
  std::vector<StepRecord> trad;
  for (const StepRecord& r : records)
    if (r.variant == "traditional") trad.push_back(r);
  const ModeStats t = summarize(trad);
  char cell[128];
  std::snprintf(cell, sizeof cell, "%.3f [%.3f, %.3f]", t.quality_mean, t.quality_ci_low,
                t.quality_ci_high);
  EXPECT_THAT(page, HasSubstr(std::string("<td class=\"num\">6</td><td class=\"num\">6</td><td>") +
                              cell + "</td>"));
  EXPECT_LT(t.quality_ci_low, t.quality_ci_high);
  EXPECT_THAT(page, HasSubstr("0.900 [0.900, 0.900]"));  // dspy: no spread
  EXPECT_THAT(page, HasSubstr("by run mode: <span class=\"name\">hybrid</span> 12"));
}

TEST(HtmlReport, TheRecommendationIsTheOnePipelineCompareGives) {
  const auto records = triage();
  for (const std::string hybrid : {"", "  hybrid_config: {min_samples: 8}\n",
                                   "  hybrid_config: {ab_policy: adaptive, min_samples: 2}\n"}) {
    const Workflow wf = load(hybrid);
    MemoryHistory h;
    for (const StepRecord& r : records) h.add(r);
    auto compare = compare_report(wf, h, {.step = "classify"});
    ASSERT_TRUE(compare) << compare.status().to_string();
    const json::object& c = compare->at("steps").at(0).as_object();
    const std::string page =
        html_report(records, {.generated_unix_ms = kDec3, .workflow_config = &wf});
    const std::string rec(c.at("recommendation").as_string());
    const std::string reason = html_escape(c.at("reason").as_string());
    EXPECT_THAT(page,
                HasSubstr("<span class=\"badge rec-" + rec + "\">" + rec + "</span> " + reason))
        << hybrid;
    EXPECT_THAT(page, HasSubstr("(from the workflow's hybrid_config)"));
    EXPECT_EQ(c.contains("adaptive"), page.find("Adaptive A/B:") != std::string::npos) << hybrid;
  }
  // Without the workflow file the defaults apply (min_samples 5: six samples are enough).
  const std::string page = html_report(records, {.generated_unix_ms = kDec3});
  EXPECT_THAT(page, HasSubstr("rec-recommend_dspy\">recommend_dspy</span>"));
  EXPECT_THAT(page, HasSubstr("(defaults; pass the workflow file for its own settings)"));
}

TEST(HtmlReport, TooFewSamplesSayWhatIsStillNeeded) {
  std::vector<StepRecord> records = {rec("triage", "classify", "traditional", 0.5, kDec3)};
  const std::string page = html_report(records, {.generated_unix_ms = kDec3});
  EXPECT_THAT(page, HasSubstr("rec-recommend_evaluation\">recommend_evaluation</span>"));
  EXPECT_THAT(page, HasSubstr("still needed before the rules apply: traditional 4, "
                              "dspy_optimized 5 (min_samples 5)"));
}

TEST(HtmlReport, StepsOfTheWorkflowFileComeInItsOrder) {
  auto records = triage();
  records.push_back(rec("triage", "summarize", "traditional", 0.7, kDec3));
  records.push_back(rec("triage", "archived", "traditional", 0.7, kDec3));
  const Workflow wf = load();
  const std::string page =
      html_report(records, {.generated_unix_ms = kDec3, .workflow_config = &wf});
  const auto summarize_at = page.find("<h3>step <span class=\"name\">summarize</span>");
  const auto classify_at = page.find("<h3>step <span class=\"name\">classify</span>");
  const auto archived_at = page.find("<h3>step <span class=\"name\">archived</span>");
  ASSERT_NE(summarize_at, std::string::npos);
  EXPECT_LT(summarize_at, classify_at);
  EXPECT_LT(classify_at, archived_at);  // not in the file: after its steps
}

TEST(HtmlReport, EveryStepHasQualityCostAndLatencyChartsOverTime) {
  auto records = triage();
  records.push_back(rec("notes", "draft", "traditional", std::nullopt, kDec3));
  const std::string page = html_report(records, {.generated_unix_ms = kDec3});
  // Two summary bar charts, three line charts per step.
  EXPECT_EQ(count(page, "<svg class=\"chart\""), 2u + 3u * 2u);
  EXPECT_EQ(count(page, "aria-label=\"quality per variant\""), 2u);
  EXPECT_EQ(count(page, "aria-label=\"cost per call per variant\""), 2u);
  EXPECT_EQ(count(page, "aria-label=\"latency per variant (mean)\""), 2u);
  // Five hours from the first record to the last: 21 buckets of 15 minutes fit in 24.
  EXPECT_THAT(page, HasSubstr("Over time (buckets of 15 minutes, UTC)"));
  EXPECT_THAT(page, HasSubstr("<title>dspy_optimized, 12-03 05:00: 0.900</title>"));
  EXPECT_THAT(page, HasSubstr("<title>traditional, 12-03 02:00: 100.0 ms</title>"));
  // draft was never scored: its quality chart has no data.
  EXPECT_THAT(page, HasSubstr(">no data</text>"));
}

TEST(HtmlReport, FallbackHopsAreCountedByClass) {
  auto records = triage();
  records[0].fallback_hops = 2;  // recovered
  records[1].fallback_hops = 1;
  records[1].success = false;
  records[1].error_class = "rate_limit";
  records[2].fallback_hops = 1;
  records[2].success = false;
  records[2].error_class = "rate_limit";
  const std::string page = html_report(records, {.generated_unix_ms = kDec3});
  EXPECT_THAT(page, HasSubstr("<tr><td><span class=\"name\">rate_limit</span></td>"
                              "<td class=\"num\">2</td><td class=\"num\">2</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<tr><td><span class=\"name\">recovered</span></td>"
                              "<td class=\"num\">1</td><td class=\"num\">2</td></tr>"));
  const std::string none = html_report(triage(), {.generated_unix_ms = kDec3});
  EXPECT_THAT(none, HasSubstr("No execution moved along the fallback chain."));
}

TEST(HtmlReport, TheCacheHitRateIsShownPerVariantAndOverall) {
  auto records = triage();
  records[0].cache_hit = true;  // three of six traditional, three of twelve overall
  records[2].cache_hit = true;
  records[4].cache_hit = true;
  const std::string page = html_report(records, {.generated_unix_ms = kDec3});
  EXPECT_THAT(page, HasSubstr("<td class=\"num\">50.0%</td><td class=\"num\">0</td>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>cache hit rate</td><td class=\"num\">25.0%</td></tr>"));
}

TEST(HtmlReport, TheHostOverheadIsTheMeanPerVariant) {
  auto records = triage();
  records[0].host_overhead_ms = 3;  // traditional: 3 ms over six executions
  records[2].host_overhead_ms = 0.6;
  const std::string page = html_report(records, {.generated_unix_ms = kDec3});
  EXPECT_THAT(page, HasSubstr("<th class=\"num\">host overhead</th>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"num\">0</td><td class=\"num\">0.6 ms</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"num\">0</td><td class=\"num\">0.0 ms</td></tr>"));
}

TEST(HtmlReport, AnEmptyHistoryIsAValidPageSayingThereIsNothingYet) {
  const std::string page = html_report({}, {.generated_unix_ms = kDec3});
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(page, HasSubstr("Nothing recorded yet."));
  EXPECT_THAT(page, HasSubstr("</body></html>\n"));
  EXPECT_THAT(body_of(page), Not(HasSubstr("<svg")));
  const std::string since = html_report(
      {},
      {.since_unix_ms = kDec3 - 7 * 24 * kHour, .since_text = "7d", .generated_unix_ms = kDec3});
  EXPECT_THAT(since, HasSubstr("Nothing recorded yet in this period."));
  EXPECT_THAT(since, HasSubstr("records since 7d ago (2026-11-26 00:00:00 UTC)"));
}

TEST(HtmlReport, NamesFromRecordsAreEscaped) {
  const std::string wf = "<script>alert('wf')</script>";
  const std::string step = "\"><img src=x onerror=alert(1)>";
  const std::string variant = "<b>v</b>";
  std::vector<StepRecord> records = {rec(wf, step, "traditional", 0.5, kDec3),
                                     rec(wf, step, variant, 0.5, kDec3)};
  records[0].fallback_hops = 1;
  records[0].success = false;
  records[0].error_class = "</td><script>x</script>";
  records[1].mode = "<i>mode</i>";
  const std::string page = html_report(records, {.workflow = wf, .generated_unix_ms = kDec3});
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("<img")));
  EXPECT_THAT(page, Not(HasSubstr("<b>")));
  EXPECT_THAT(page, Not(HasSubstr("<i>")));
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(&#39;wf&#39;)&lt;/script&gt;"));
  EXPECT_THAT(page, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(page, HasSubstr("&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;"));
  EXPECT_THAT(page, HasSubstr("<title>pipeline report: workflow &lt;script&gt;"));
}

}  // namespace
}  // namespace pipeline
