#include <pipeline/dspy/evaluate.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace pipeline::dspy {
namespace {

TEST(Evaluate, MeanAndConfidenceInterval) {
  double m = 0, lo = 0, hi = 0;
  mean_ci95({1, 0, 1, 1}, m, lo, hi);
  EXPECT_DOUBLE_EQ(m, 0.75);
  EXPECT_NEAR(lo, 0.75 - 1.96 * 0.5 / 2, 1e-9);
  EXPECT_DOUBLE_EQ(hi, 1.0);  // clamped
  mean_ci95({0.5}, m, lo, hi);
  EXPECT_DOUBLE_EQ(lo, 0.5);
}

TEST(Evaluate, RunsEveryExampleBoundedByConcurrencyAndCountsErrorsAsZero) {
  auto sig = *parse_signature_string("q -> a");
  std::vector<DatasetRow> rows(20);
  for (int i = 0; i < 20; ++i) {
    rows[static_cast<std::size_t>(i)].inputs = json::object{{"q", i}};
    rows[static_cast<std::size_t>(i)].outputs = json::object{{"a", "x"}};
  }
  std::atomic<int> in_flight{0}, peak{0};
  RunExample run = [&](const DatasetRow& row, const CallContext&) {
    int now = ++in_flight;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --in_flight;
    ExampleRun out;
    int q = static_cast<int>(row.inputs.at("q").as_int64());
    if (q % 4 == 3) {
      out.error = "boom";
    } else {
      out.predicted["a"] = q % 2 == 0 ? "x" : "y";
    }
    out.totals.calls = 1;
    return out;
  };
  auto metric = make_metric(json::value{{"type", "exact_match"}}, sig);
  Evaluator ev(run, **metric);
  EvaluateOptions opts;
  opts.concurrency = 4;
  std::atomic<int> progress_calls{0};
  opts.on_progress = [&](const Progress&) { ++progress_calls; };
  auto rep = ev.run(rows, opts);
  EXPECT_EQ(rep.results.size(), 20u);
  EXPECT_EQ(rep.errors, 5u);
  EXPECT_DOUBLE_EQ(rep.mean, 0.5);  // the 10 even rows match; errors count as 0
  EXPECT_LE(peak.load(), 4);
  EXPECT_GE(peak.load(), 2);
  EXPECT_EQ(progress_calls.load(), 20);
  EXPECT_EQ(rep.totals.calls, 20);
  EXPECT_EQ(rep.results[3].run.error, "boom");
  EXPECT_EQ(rep.to_json().at("results").as_array().size(), 20u);
}

TEST(Evaluate, CancelledBeforeStartRunsNothing) {
  auto sig = *parse_signature_string("q -> a");
  std::vector<DatasetRow> rows(3);
  RunExample run = [](const DatasetRow&, const CallContext&) { return ExampleRun{}; };
  auto metric = make_metric(json::value{{"type", "exact_match"}}, sig);
  EvaluateOptions opts;
  opts.cancel.cancel();
  auto rep = Evaluator(run, **metric).run(rows, opts);
  EXPECT_TRUE(rep.cancelled);
  EXPECT_TRUE(rep.results.empty());
  EXPECT_EQ(rep.planned, 3u);
}

}  // namespace
}  // namespace pipeline::dspy
