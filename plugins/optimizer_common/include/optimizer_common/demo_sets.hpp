// Few-shot demo sets as DSPy builds them (dspy/teleprompt/bootstrap.py, vanilla.py, utils.py), over
// a SearchHost, for every optimizer that needs them (MIPROv2 searches over such sets; bootstrap
// random search is the same loop scored on the valset):
//   - labeled_demos: LabeledFewShot(k).compile(sample), k labelled examples by a seeded draw;
//   - bootstrap_demos: BootstrapFewShot (bootstrap_traces, then bootstrapped_demos): a teacher
//     (the start instructions with labelled demos, never the example itself) runs each training
//     example in order; a trace becomes an "augmented" demo only when the metric passes (score
//     >= metric_threshold, or > 0 without one; every trace without a metric); rounds after the
//     first run at temperature 1 with rollout_id = round (a fresh cache key); then labelled demos
//     of the examples not bootstrapped fill up to max_labeled_demos;
//   - demo_set_candidates: create_n_fewshot_demo_sets: DSPy's seeds -3 zero-shot, -2 labelled
//     only, -1 unshuffled bootstrap, then bootstraps of shuffled copies of random size.
// Python's random.Random(0) becomes our Rng(DemoSetSettings::seed), 0 unless an optimizer passes
// the task's seed: the same structure, another (portable) sequence.
//
//   DemoSetSettings s; s.max_bootstrapped_demos = 4; s.max_labeled_demos = 4;
//   ErrorBudget errors;
//   auto sets = demo_set_candidates(host, task, train_indices, 6, s, rng, errors);
#pragma once

#include <optimizer_common/candidate.hpp>
#include <optimizer_common/report.hpp>
#include <optimizer_common/rng.hpp>
#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::optimizer {

struct DemoSetSettings {
  std::size_t max_bootstrapped_demos = 4;
  std::size_t max_labeled_demos = 16;
  std::size_t max_rounds = 1;
  std::size_t max_errors = 10;  // dspy.settings.max_errors
  std::optional<double> metric_threshold;
  std::size_t min_num_samples = 1;  // create_n_fewshot_demo_sets: smallest shuffled bootstrap
  // Seeds the labelled draws of LabeledFewShot and BootstrapFewShot, where DSPy always uses
  // random.Random(0): 0 (MIPROv2) keeps DSPy's, the few-shot optimizers pass the task's seed.
  std::uint64_t seed = 0;

  // BootstrapFewShot's parameters with its defaults (max_errors: dspy.settings.max_errors).
  static DemoSetSettings parse(Params& p) {
    DemoSetSettings s;
    s.max_bootstrapped_demos =
        static_cast<std::size_t>(p.integer("max_bootstrapped_demos", 4, 0, 1000));
    s.max_labeled_demos = static_cast<std::size_t>(p.integer("max_labeled_demos", 16, 0, 1000));
    s.max_rounds = static_cast<std::size_t>(p.integer("max_rounds", 1, 1, 100));
    s.max_errors = static_cast<std::size_t>(p.integer("max_errors", 10, 1, 1000000));
    if (const auto* t = p.raw("metric_threshold"); t && !t->is_null())
      s.metric_threshold = p.number("metric_threshold", 0, 0, 1);
    return s;
  }
};

// Counts run failures across one optimization, as DSPy's error_count does across a compile.
struct ErrorBudget {
  std::size_t errors = 0;
  void fail(const std::string& why, std::size_t max_errors) {
    if (++errors >= max_errors)
      throw sdk::Error(PL_FAILED_PRECONDITION, "bootstrap: " + std::to_string(errors) +
                                                   " examples failed to run or parse (max_errors " +
                                                   std::to_string(max_errors) + "); last: " + why);
  }
};

// LabeledFewShot(k).compile(sample): the positions of min(k, n) of n examples, drawn by a fresh
// Rng(seed) (DSPy's random.Random(0)), or the first k with sample = false.
inline std::vector<std::size_t> labeled_positions(std::size_t n, std::size_t k, bool sample = true,
                                                  std::uint64_t seed = 0) {
  const std::size_t m = std::min(k, n);
  if (sample) return Rng(seed).sample(n, m);
  std::vector<std::size_t> first(m);
  for (std::size_t i = 0; i < m; ++i) first[i] = i;
  return first;
}

// The demos of labeled_positions over the examples of `order`.
inline boost::json::array labeled_demos(const Task& task, const std::vector<std::size_t>& order,
                                        std::size_t k, bool sample = true, std::uint64_t seed = 0) {
  boost::json::array demos;
  for (std::size_t i : labeled_positions(order.size(), k, sample, seed))
    demos.push_back(task.trainset[order[i]].flat());
  return demos;
}

// What BootstrapFewShot._bootstrap gathered: the passing traces, and for each position of the
// order whether its example became one. A budget stop or a cancel leaves what was gathered so
// far, so a caller can still build the program from the examples seen.
struct BootstrapTraces {
  boost::json::array traces;
  std::vector<bool> bootstrapped;  // by position in the order
  std::size_t attempts = 0;        // runs of the teacher, rounds included
};

// BootstrapFewShot._bootstrap over the examples of `order`, in that order, into `out`. Throws
// Stopped with `out` holding the traces gathered before it.
inline void bootstrap_traces(SearchHost& host, const Task& task,
                             const std::vector<std::size_t>& order, const DemoSetSettings& s,
                             ErrorBudget& errors, BootstrapTraces& out) {
  const boost::json::array teacher_demos =
      labeled_demos(task, order, s.max_labeled_demos, true, s.seed);
  out.bootstrapped.assign(order.size(), false);
  std::size_t n_boot = 0;
  for (std::size_t pos = 0; pos < order.size(); ++pos) {
    if (n_boot >= s.max_bootstrapped_demos) break;
    const TaskExample& ex = task.trainset[order[pos]];
    const boost::json::object flat = ex.flat();
    // The teacher never sees the example it answers among its demos.
    Candidate t{task.start.instructions, {}};
    for (const auto& d : teacher_demos)
      if (!(d.is_object() && d.get_object() == flat)) t.demos.push_back(d);
    for (std::size_t round = 0; round < std::max<std::size_t>(s.max_rounds, 1); ++round) {
      RunOptions o;
      // A step without a metric keeps every trace that parses (DSPy's metric=None).
      const bool scored = !task.metric.empty();
      o.score = scored;
      if (round > 0) {
        // A fresh sample that the response cache cannot answer with the first round's reply.
        o.temperature = 1.0;
        o.rollout_id = static_cast<std::int64_t>(round);
      }
      RunResult r = host.run(t, ExampleRef{"train", order[pos]}, o);
      ++out.attempts;
      if (!r.error.empty()) {
        errors.fail(r.error, s.max_errors);
        continue;
      }
      const double score = r.score.value_or(0.0);
      const bool success =
          !scored || (s.metric_threshold ? score >= *s.metric_threshold : score > 0);
      if (!success) continue;
      boost::json::object demo = ex.inputs;
      for (const auto& kv : r.outputs) demo[kv.key()] = kv.value();
      demo["augmented"] = true;
      out.traces.push_back(std::move(demo));
      out.bootstrapped[pos] = true;
      ++n_boot;
      break;
    }
  }
}

// BootstrapFewShot._train: the traces (at most max_bootstrapped_demos), then labelled demos of
// the examples not bootstrapped up to max_labeled_demos. Those examples are shuffled by Rng(seed),
// then sampled by another Rng(seed) (DSPy's _bootstrap and _train each use a fresh
// random.Random(0)). No LM calls.
inline boost::json::array bootstrapped_demos(const Task& task,
                                             const std::vector<std::size_t>& order,
                                             const BootstrapTraces& t, const DemoSetSettings& s) {
  std::vector<std::size_t> rest;
  for (std::size_t pos = 0; pos < order.size(); ++pos)
    if (pos >= t.bootstrapped.size() || !t.bootstrapped[pos]) rest.push_back(order[pos]);
  Rng shuffle_rng(s.seed);
  shuffle_rng.shuffle(rest);
  boost::json::array demos;
  for (std::size_t i = 0; i < t.traces.size() && i < s.max_bootstrapped_demos; ++i)
    demos.push_back(t.traces[i]);
  const std::size_t room =
      s.max_labeled_demos > demos.size() ? s.max_labeled_demos - demos.size() : 0;
  Rng train_rng(s.seed);
  for (std::size_t i : train_rng.sample(rest.size(), std::min(room, rest.size())))
    demos.push_back(task.trainset[rest[i]].flat());
  return demos;
}

// BootstrapFewShot(...).compile(student, trainset = the examples of `order`, in that order): a
// teacher (the start instructions with labelled demos, never the example itself) runs each
// example; Stopped propagates.
inline boost::json::array bootstrap_demos(SearchHost& host, const Task& task,
                                          const std::vector<std::size_t>& order,
                                          const DemoSetSettings& s, ErrorBudget& errors) {
  BootstrapTraces t;
  bootstrap_traces(host, task, order, s, errors, t);
  return bootstrapped_demos(task, order, t, s);
}

// create_n_fewshot_demo_sets(num_candidate_sets = n): n sets, the three special seeds first.
// `rng` is the optimizer's own generator (DSPy passes MIPRO's self.rng).
inline std::vector<boost::json::array> demo_set_candidates(SearchHost& host, const Task& task,
                                                           const std::vector<std::size_t>& train,
                                                           std::size_t n, const DemoSetSettings& s,
                                                           Rng& rng, ErrorBudget& errors) {
  std::vector<boost::json::array> sets;
  const long long shuffled = static_cast<long long>(n) - 3;
  for (long long seed = -3; seed < shuffled; ++seed) {
    report(host,
           {{"stage", "bootstrap"},
            {"message", "demo set " + std::to_string(seed + 4) + " of " + std::to_string(n)}});
    std::vector<std::size_t> order = train;
    if (seed == -3) {
      sets.emplace_back();  // zero-shot
    } else if (seed == -2 && s.max_labeled_demos > 0) {
      sets.push_back(labeled_demos(task, order, s.max_labeled_demos, true, s.seed));
    } else if (seed == -1) {
      sets.push_back(bootstrap_demos(host, task, order, s, errors));
    } else {
      rng.shuffle(order);
      DemoSetSettings sized = s;
      // random.randint(min_num_samples, max_bootstrapped_demos); no bootstrapping asked: none.
      sized.max_bootstrapped_demos =
          s.max_bootstrapped_demos == 0 ? 0
                                        : static_cast<std::size_t>(rng.uniform(
                                              static_cast<std::int64_t>(s.min_num_samples),
                                              static_cast<std::int64_t>(s.max_bootstrapped_demos)));
      sets.push_back(bootstrap_demos(host, task, order, sized, errors));
    }
  }
  return sets;
}

}  // namespace pipeline::optimizer
