// Few-shot demo sets as DSPy builds them (dspy/teleprompt/bootstrap.py, vanilla.py, utils.py), over
// a SearchHost, for every optimizer that needs them (MIPROv2 searches over such sets; bootstrap
// random search is the same loop scored on the valset):
//   - labeled_demos: LabeledFewShot(k).compile(sample=True), k labelled examples by a seeded draw;
//   - bootstrap_demos: BootstrapFewShot: a teacher (the start instructions with labelled demos,
//     never the example itself) runs each training example in order; a trace becomes an
//     "augmented" demo only when the metric passes (score >= metric_threshold, or > 0 without
//     one); rounds after the first run at temperature 1 with rollout_id = round (a fresh cache
//     key); then labelled demos of the examples not bootstrapped fill up to max_labeled_demos;
//   - demo_set_candidates: create_n_fewshot_demo_sets: DSPy's seeds -3 zero-shot, -2 labelled
//     only, -1 unshuffled bootstrap, then bootstraps of shuffled copies of random size.
// Python's random.Random(0) becomes our Rng(0): the same structure, another (portable) sequence.
//
//   DemoSetSettings s; s.max_bootstrapped_demos = 4; s.max_labeled_demos = 4;
//   auto sets = demo_set_candidates(host, task, train_indices, 6, s, rng);
#pragma once

#include <optimizer_common/candidate.hpp>
#include <optimizer_common/report.hpp>
#include <optimizer_common/rng.hpp>
#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstddef>
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

// LabeledFewShot(k) with sample=True: min(k, n) examples drawn with a fresh Rng(0) from `order`.
inline boost::json::array labeled_demos(const Task& task, const std::vector<std::size_t>& order,
                                        std::size_t k) {
  boost::json::array demos;
  if (k == 0) return demos;
  Rng rng(0);
  for (std::size_t i : rng.sample(order.size(), std::min(k, order.size())))
    demos.push_back(task.trainset[order[i]].flat());
  return demos;
}

// BootstrapFewShot(...).compile(student, trainset = the examples of `order`, in that order).
inline boost::json::array bootstrap_demos(SearchHost& host, const Task& task,
                                          const std::vector<std::size_t>& order,
                                          const DemoSetSettings& s, ErrorBudget& errors) {
  Candidate teacher{task.start.instructions, labeled_demos(task, order, s.max_labeled_demos)};
  boost::json::array traces;
  std::vector<bool> bootstrapped(order.size(), false);
  std::size_t n_boot = 0;
  for (std::size_t pos = 0; pos < order.size(); ++pos) {
    if (n_boot >= s.max_bootstrapped_demos) break;
    const TaskExample& ex = task.trainset[order[pos]];
    const boost::json::object flat = ex.flat();
    // The teacher never sees the example it answers among its demos.
    Candidate t{teacher.instructions, {}};
    for (const auto& d : teacher.demos)
      if (!(d.is_object() && d.get_object() == flat)) t.demos.push_back(d);
    for (std::size_t round = 0; round < std::max<std::size_t>(s.max_rounds, 1); ++round) {
      RunOptions o;
      o.score = true;
      if (round > 0) {
        o.temperature = 1.0;
        o.rollout_id = static_cast<std::int64_t>(round);
      }
      RunResult r = host.run(t, ExampleRef{"train", order[pos]}, o);
      if (!r.error.empty()) {
        errors.fail(r.error, s.max_errors);
        continue;
      }
      const double score = r.score.value_or(0.0);
      const bool success = s.metric_threshold ? score >= *s.metric_threshold : score > 0;
      if (!success) continue;
      boost::json::object demo = ex.inputs;
      for (const auto& kv : r.outputs) demo[kv.key()] = kv.value();
      demo["augmented"] = true;
      traces.push_back(std::move(demo));
      bootstrapped[pos] = true;
      ++n_boot;
      break;
    }
  }
  // The examples not bootstrapped, shuffled by Rng(0), then a sample by another Rng(0) fills the
  // labelled part (DSPy's _bootstrap and _train each use a fresh random.Random(0)).
  std::vector<std::size_t> rest;
  for (std::size_t pos = 0; pos < order.size(); ++pos)
    if (!bootstrapped[pos]) rest.push_back(order[pos]);
  Rng shuffle_rng(0);
  shuffle_rng.shuffle(rest);
  boost::json::array demos;
  for (std::size_t i = 0; i < traces.size() && i < s.max_bootstrapped_demos; ++i)
    demos.push_back(traces[i]);
  const std::size_t room =
      s.max_labeled_demos > demos.size() ? s.max_labeled_demos - demos.size() : 0;
  Rng train_rng(0);
  for (std::size_t i : train_rng.sample(rest.size(), std::min(room, rest.size())))
    demos.push_back(task.trainset[rest[i]].flat());
  return demos;
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
      sets.push_back(labeled_demos(task, order, s.max_labeled_demos));
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
