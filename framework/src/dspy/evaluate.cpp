#include <pipeline/dspy/evaluate.hpp>

#include <pipeline/dspy/python_text.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <thread>

namespace pipeline::dspy {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

void mean_ci95(const std::vector<double>& scores, double& mean, double& lo, double& hi) {
  mean = lo = hi = 0;
  if (scores.empty()) return;
  double sum = 0;
  for (double s : scores) sum += s;
  double n = static_cast<double>(scores.size());
  mean = sum / n;
  double var = 0;
  for (double s : scores) var += (s - mean) * (s - mean);
  double sd = scores.size() > 1 ? std::sqrt(var / (n - 1)) : 0;
  double half = 1.96 * sd / std::sqrt(n);
  lo = std::clamp(mean - half, 0.0, 1.0);
  hi = std::clamp(mean + half, 0.0, 1.0);
}

json::object ExampleResult::to_json() const {
  json::object o;
  o["index"] = index;
  if (row) {
    o["file"] = row->file;
    o["line"] = row->line;
    o["inputs"] = row->inputs;
    o["expected"] = row->outputs;
  }
  o["predicted"] = run.predicted;
  o["score"] = score;
  if (!feedback.empty()) o["feedback"] = feedback;
  o["latency_ms"] = latency_ms;
  o["cost_usd"] = run.totals.cost_usd;
  o["lm_calls"] = run.totals.calls + run.totals.cache_hits;
  o["cached"] = run.totals.cache_hits > 0 && run.totals.calls == 0;
  o["error"] = run.error.empty() ? json::value(nullptr) : json::value(run.error);
  return o;
}

json::object EvaluationReport::to_json() const {
  json::object o;
  o["score"] = mean;
  o["ci95"] = json::array{ci_low, ci_high};
  o["examples"] = results.size();
  o["errors"] = errors;
  o["lm_calls"] = totals.calls + totals.cache_hits;
  o["cache_hits"] = totals.cache_hits;
  o["input_tokens"] = totals.input_tokens;
  o["output_tokens"] = totals.output_tokens;
  o["cost_usd"] = totals.cost_usd;
  o["wall_ms"] = wall_ms;
  json::array rs;
  for (const auto& r : results) rs.push_back(r.to_json());
  o["results"] = std::move(rs);
  return o;
}

std::string EvaluationReport::to_csv() const {
  std::string out =
      "index,score,latency_ms,cost_usd,cached,error,feedback,inputs,expected,predicted\n";
  for (const auto& r : results) {
    auto j = r.to_json();
    out += std::to_string(r.index) + "," + python_float_repr(r.score) + "," +
           fixed(r.latency_ms, 3) + "," + python_float_repr(r.run.totals.cost_usd) + "," +
           (j.at("cached").as_bool() ? "true" : "false") + "," + csv_cell(r.run.error) + "," +
           csv_cell(r.feedback) + "," + csv_cell(r.row ? json::serialize(r.row->inputs) : "{}") +
           "," + csv_cell(r.row ? json::serialize(r.row->outputs) : "{}") + "," +
           csv_cell(json::serialize(r.run.predicted)) + "\n";
  }
  return out;
}

std::string EvaluationReport::summary_table() const {
  auto row = [](const std::string& k, const std::string& v) {
    std::string key = k;
    key.resize(12, ' ');
    return key + v + "\n";
  };
  std::string out;
  out += row("examples", std::to_string(results.size()) +
                             (cancelled ? " of " + std::to_string(planned) + " (cancelled)" : ""));
  out += row("score",
             fixed(mean, 3) + "  (95% CI " + fixed(ci_low, 3) + " - " + fixed(ci_high, 3) + ")");
  out += row("errors", std::to_string(errors));
  out += row("lm calls", std::to_string(totals.calls + totals.cache_hits));
  out += row("cache hits", std::to_string(totals.cache_hits));
  out += row("tokens", std::to_string(totals.input_tokens) + " in, " +
                           std::to_string(totals.output_tokens) + " out");
  out += row("cost", "$" + fixed(totals.cost_usd, 6));
  out += row("wall time", fixed(wall_ms, 0) + " ms");
  return out;
}

EvaluationReport Evaluator::run(const std::vector<DatasetRow>& rows,
                                const EvaluateOptions& options) const {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<ExampleResult> results(rows.size());
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  Progress progress;
  progress.total = rows.size();
  auto worker = [&] {
    for (;;) {
      if (options.cancel.cancelled()) return;
      std::size_t i = next.fetch_add(1);
      if (i >= rows.size()) return;
      auto start = std::chrono::steady_clock::now();
      ExampleResult& r = results[i];
      r.index = i;
      r.row = &rows[i];
      CallContext ctx(options.cancel);
      r.run = run_(rows[i], ctx);
      if (r.run.error.empty()) {
        auto s = metric_.score({rows[i].inputs, rows[i].outputs, r.run.predicted});
        if (s) {
          r.score = std::clamp(s->score, 0.0, 1.0);
          r.feedback = s->feedback;
        } else {
          r.run.error = "metric: " + s.status().message();
        }
      }
      r.latency_ms = ms_since(start);
      // An example cut short by the cancel is not a result.
      r.done = !(options.cancel.cancelled() && !r.run.error.empty());
      std::lock_guard<std::mutex> lock(mu);
      if (!r.done) continue;
      ++progress.done;
      progress.score_sum += r.score;
      progress.elapsed_ms = ms_since(t0);
      if (options.on_progress) options.on_progress(progress);
    }
  };
  int n = std::clamp(options.concurrency, 1, 256);
  n = static_cast<int>(
      std::min<std::size_t>(static_cast<std::size_t>(n), std::max<std::size_t>(rows.size(), 1)));
  std::vector<std::thread> threads;
  for (int k = 0; k < n; ++k) threads.emplace_back(worker);
  for (auto& t : threads) t.join();

  EvaluationReport rep;
  rep.planned = rows.size();
  rep.cancelled = options.cancel.cancelled();
  std::vector<double> scores;
  for (auto& r : results) {
    if (!r.done || !r.row) continue;
    scores.push_back(r.score);
    if (!r.run.error.empty()) ++rep.errors;
    rep.totals.add(r.run.totals);
    rep.results.push_back(std::move(r));
  }
  mean_ci95(scores, rep.mean, rep.ci_low, rep.ci_high);
  rep.wall_ms = ms_since(t0);
  return rep;
}

}  // namespace pipeline::dspy
