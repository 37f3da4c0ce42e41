// BootstrapFewShotWithRandomSearch (DSPy 3.3, dspy/teleprompt/random_search.py) over a
// SearchHost: num_candidate_programs + 3 programs, DSPy's special seeds first, each scored on the
// validation set (the trainset when the task has none) as soon as it is built:
//   seed -3: zero-shot (the instructions, no demos);
//   seed -2: labelled only, LabeledFewShot(max_labeled_demos);
//   seed -1: BootstrapFewShot on the trainset in order;
//   seed 0..N-1: BootstrapFewShot on a copy of the trainset shuffled by Rng(seed), with
//     max_bootstrapped_demos drawn from 1..max by another fresh Rng(seed) (DSPy's two
//     random.Random(seed)); the task's seed is mixed in, so another task seed is another search
//     (it also seeds the labelled draws, DSPy's random.Random(0)).
// The best is the first candidate with the highest score; a score >= stop_at_score ends the
// search. A spent budget or a cancel ends it with the best scored candidate (the program as
// written when none was scored). Each bootstrap counts its own max_errors, and so does each
// evaluation (DSPy's Evaluate raises at max_errors failed examples).
//
//   RandomSearchSettings s = RandomSearchSettings::parse(task);
//   RandomSearchResult r = bootstrap_random_search(host, task, s);
#pragma once

#include <optimizer_common/candidate.hpp>
#include <optimizer_common/demo_sets.hpp>
#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::optimizer {

struct RandomSearchSettings {
  DemoSetSettings demos;  // max_bootstrapped_demos 4, max_labeled_demos 16, max_rounds 1, ...
  std::size_t num_candidate_programs = 16;
  std::optional<double> stop_at_score;
  bool labeled_sample = true;  // compile(labeled_sample=True): seed -2 samples, else the first k

  static RandomSearchSettings parse(const Task& task);
};

struct RandomSearchCandidate {
  std::int64_t seed = 0;                   // -3, -2, -1, 0, 1, ...
  std::size_t max_bootstrapped_demos = 0;  // the size this seed bootstrapped with
  Candidate program;
  std::vector<std::size_t> bootstrapped;  // trainset indices traced into demos
  std::optional<double> score;            // none when the search stopped before scoring it
};

struct RandomSearchResult {
  Candidate best;
  std::optional<double> best_score;
  std::optional<std::int64_t> best_seed;
  std::vector<RandomSearchCandidate> candidates;  // in seed order, as built
  std::string stopped;                            // stop_at_score | budget | cancelled, else empty
};

// The generator seed of candidate `seed` >= 0 for a task seed: DSPy's random.Random(seed) when
// the task seed is 0.
std::uint64_t random_search_seed(std::uint64_t task_seed, std::int64_t seed);

RandomSearchResult bootstrap_random_search(SearchHost& host, const Task& task,
                                           const RandomSearchSettings& s);

}  // namespace pipeline::optimizer
