#include "bootstrap_random_search.hpp"

#include <optimizer_common/report.hpp>
#include <optimizer_common/rng.hpp>

#include <numeric>

namespace pipeline::optimizer {

namespace {

constexpr std::int64_t kMaxCandidatePrograms = 10000;

std::string describe(std::int64_t seed, std::size_t size) {
  if (seed == -3) return "seed -3 (zero-shot)";
  if (seed == -2) return "seed -2 (labelled only)";
  if (seed == -1) return "seed -1 (unshuffled bootstrap)";
  return "seed " + std::to_string(seed) + " (shuffled bootstrap of up to " + std::to_string(size) +
         ")";
}

// A candidate's evaluation; a cut-short one ends the search, max_errors failed examples fail it.
double score(SearchHost& host, const Candidate& c, const std::string& set, std::int64_t seed,
             std::size_t size, std::size_t max_errors) {
  Evaluation e = host.evaluate(c, set, {}, describe(seed, size));
  if (!e.complete)
    throw Stopped(e.stopped == "cancelled" ? PL_CANCELLED : PL_RESOURCE_EXHAUSTED,
                  "bootstrap_random_search: " + (e.stopped.empty() ? "stopped" : e.stopped));
  std::size_t failed = 0;
  std::string last;
  for (const auto& r : e.results)
    if (!r.error.empty()) {
      ++failed;
      last = r.error;
    }
  if (failed >= max_errors)
    throw sdk::Error(PL_FAILED_PRECONDITION, "bootstrap_random_search: " + std::to_string(failed) +
                                                 " examples of " + describe(seed, size) +
                                                 " failed to run or parse (max_errors " +
                                                 std::to_string(max_errors) + "); last: " + last);
  return e.score;
}

}  // namespace

std::uint64_t random_search_seed(std::uint64_t task_seed, std::int64_t seed) {
  // Candidate seeds stay below kMaxCandidatePrograms < 2^20, so distinct (task seed, seed) pairs
  // give distinct generator seeds.
  return (task_seed << 20) + static_cast<std::uint64_t>(seed);
}

RandomSearchSettings RandomSearchSettings::parse(const Task& task) {
  Params p(task.params, "bootstrap_random_search");
  RandomSearchSettings s;
  s.demos = DemoSetSettings::parse(p);
  s.demos.seed = task.seed;
  s.num_candidate_programs =
      static_cast<std::size_t>(p.integer("num_candidate_programs", 16, 0, kMaxCandidatePrograms));
  if (const auto* v = p.raw("stop_at_score"); v && !v->is_null()) {
    s.stop_at_score = p.number("stop_at_score", 0, 0, 1e9);
    // DSPy's Evaluate scores in percent, so a DSPy setting of 90 must not silently never stop.
    if (*s.stop_at_score > 1)
      throw sdk::Error(
          PL_INVALID_ARGUMENT,
          "bootstrap_random_search: parameter 'stop_at_score' must be between 0 and 1: "
          "scores here are the metric's mean in 0..1 (DSPy's stop_at_score is a "
          "percentage: its 90 is 0.9 here)");
  }
  s.labeled_sample = p.boolean("labeled_sample", true);
  p.finish();
  return s;
}

RandomSearchResult bootstrap_random_search(SearchHost& host, const Task& task,
                                           const RandomSearchSettings& s) {
  if (task.trainset.empty() && task.valset.empty())
    throw sdk::Error(PL_INVALID_ARGUMENT,
                     "bootstrap_random_search: nothing to score the candidates on (the valset "
                     "and the trainset are both empty)");
  RandomSearchResult r;
  r.best = task.start;
  // DSPy: valset or trainset.
  const std::string val_set = task.valset.empty() ? "train" : "val";
  std::vector<std::size_t> train(task.trainset.size());
  std::iota(train.begin(), train.end(), 0);
  const auto total = static_cast<std::int64_t>(s.num_candidate_programs) + 3;

  try {
    for (std::int64_t seed = -3; seed < static_cast<std::int64_t>(s.num_candidate_programs);
         ++seed) {
      RandomSearchCandidate c;
      c.seed = seed;
      c.program.instructions = task.start.instructions;
      DemoSetSettings sized = s.demos;
      std::vector<std::size_t> order = train;
      if (seed >= 0) {
        Rng(random_search_seed(task.seed, seed)).shuffle(order);
        // random.randint(1, max_bootstrapped_demos), which DSPy cannot draw for a max of 0: then
        // the seed bootstraps nothing (a shuffled labelled-only program).
        sized.max_bootstrapped_demos =
            s.demos.max_bootstrapped_demos == 0
                ? 0
                : static_cast<std::size_t>(
                      Rng(random_search_seed(task.seed, seed))
                          .uniform(static_cast<std::int64_t>(s.demos.min_num_samples),
                                   static_cast<std::int64_t>(s.demos.max_bootstrapped_demos)));
      }
      c.max_bootstrapped_demos = seed >= -1 ? sized.max_bootstrapped_demos : 0;
      boost::json::object event{{"stage", "candidate"},
                                {"message", describe(seed, c.max_bootstrapped_demos)},
                                {"candidate", seed + 4},
                                {"of", total}};
      if (r.best_score) event["best_score"] = *r.best_score;
      report(host, event);
      if (seed == -2) {
        c.program.demos =
            labeled_demos(task, order, s.demos.max_labeled_demos, s.labeled_sample, s.demos.seed);
      } else if (seed >= -1) {
        // A fresh BootstrapFewShot per seed: its own error count, as DSPy's new instance.
        BootstrapTraces traces;
        ErrorBudget errors;
        bootstrap_traces(host, task, order, sized, errors, traces);
        c.program.demos = bootstrapped_demos(task, order, traces, sized);
        for (std::size_t pos = 0; pos < traces.bootstrapped.size(); ++pos)
          if (traces.bootstrapped[pos]) c.bootstrapped.push_back(order[pos]);
      }
      r.candidates.push_back(c);
      const double sc =
          score(host, c.program, val_set, seed, c.max_bootstrapped_demos, s.demos.max_errors);
      r.candidates.back().score = sc;
      if (!r.best_score || sc > *r.best_score) {
        r.best_score = sc;
        r.best = c.program;
        r.best_seed = seed;
      }
      if (s.stop_at_score && sc >= *s.stop_at_score) {
        r.stopped = "stop_at_score";
        break;
      }
    }
  } catch (const Stopped& e) {
    r.stopped = e.status() == PL_CANCELLED ? "cancelled" : "budget";
  }
  return r;
}

}  // namespace pipeline::optimizer
