// Which variant an A/B test runs for one episode of one step, deterministically: the same
// (workflow, step, episode) always gets the same answer from the same evidence, so reruns
// reproduce and an episode is sticky.
// - split: a 64-bit FNV-1a hash of the three ids (finalized with splitmix64's mixer, so nearby
//   ids spread evenly) as a point u in [0, 1); u < share runs dspy_optimized.
// - adaptive: Thompson sampling. Each variant's quality scores make a Beta posterior
//   (alpha = 1 + sum of scores, beta = 1 + n - sum: a score is a fractional success, the prior
//   uniform); one draw from each, seeded by the same hash, and the higher draw runs. The share
//   of dspy_optimized so follows P(dspy better). The test stops once both variants have
//   min_samples scores and P(one better) >= confidence; that decision is a pure function of the
//   two aggregates, so `pipeline compare` recomputes it from the history.
//
//   Variant v = split_assign("triage", "classify", episode, 0.5);
//   AdaptiveDecision d = adaptive_decision(summarize(trad), summarize(dspy), 0.95, 5);
//   if (!d.decided) v = adaptive_assign("triage", "classify", episode, trad_stats, dspy_stats);
#pragma once

#include <pipeline/hybrid/variant.hpp>
#include <pipeline/json.hpp>
#include <pipeline/monitor/mode_stats.hpp>

#include <cstdint>
#include <string_view>

namespace pipeline {

std::uint64_t assignment_hash(std::string_view workflow, std::string_view step,
                              std::string_view episode);
// The hash as a point in [0, 1) (its top 53 bits).
double assignment_point(std::string_view workflow, std::string_view step, std::string_view episode);

// dspy_optimized when the episode's point is below `share` (share 0: never, 1: always).
Variant split_assign(std::string_view workflow, std::string_view step, std::string_view episode,
                     double share);

struct BetaPosterior {
  double alpha = 1;
  double beta = 1;
  static BetaPosterior of(const ModeStats& s);
  double mean() const { return alpha / (alpha + beta); }
};

// P(X > Y) for X ~ a, Y ~ b, by numerical integration (deterministic, no sampling).
double probability_better(const BetaPosterior& a, const BetaPosterior& b);

struct AdaptiveDecision {
  bool decided = false;
  // Decided: the better variant and P(it is better). Undecided: the currently leading variant
  // and P(it is better) (>= 0.5).
  Variant winner = Variant::kTraditional;
  double probability = 0.5;
  std::int64_t traditional_samples = 0;
  std::int64_t dspy_samples = 0;
  // {"decided", "winner", "probability", "samples": {"traditional", "dspy_optimized"}}
  json::object to_json() const;
};

AdaptiveDecision adaptive_decision(const ModeStats& traditional, const ModeStats& dspy,
                                   double confidence, std::int64_t min_samples);

// One Thompson draw per posterior from a generator seeded by assignment_hash; the higher runs.
Variant adaptive_assign(std::string_view workflow, std::string_view step, std::string_view episode,
                        const ModeStats& traditional, const ModeStats& dspy);

}  // namespace pipeline
