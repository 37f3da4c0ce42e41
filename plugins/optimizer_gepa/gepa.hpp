// GEPA (Agrawal et al., 2025, "Reflective Prompt Evolution Can Outperform Reinforcement
// Learning"; DSPy's dspy.GEPA over the gepa-ai/gepa engine) over a SearchHost. A pool of
// candidates starts with the program as written, fully evaluated on the validation set. Each
// iteration picks a parent from the per-example Pareto front (frequency-weighted), runs it on a
// minibatch of the trainset, shows the inputs, outputs and the metric's feedback to the
// reflection LM, and takes the instruction it writes as a child. A child that beats its parent's
// minibatch score (strictly) is evaluated on the whole validation set and joins the pool and the
// front. Every metric call (one scored example) counts against max_metric_calls, which is never
// exceeded: an evaluation that would cross it is not started. The result is the candidate with
// the best mean validation score.
//
//   GepaSettings s = GepaSettings::parse(task.params, task);
//   GepaResult r = gepa(host, task, s);
#pragma once

#include "pareto_front.hpp"

#include <optimizer_common/candidate.hpp>
#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::optimizer {

struct GepaSettings {
  std::size_t max_metric_calls = 0;  // resolved from auto / max_full_evals / the parameter
  std::string auto_mode;             // as given, for the report
  std::size_t reflection_minibatch_size = 3;
  std::string candidate_selection_strategy = "pareto";  // pareto | current_best
  bool skip_perfect_score = true;
  double perfect_score = 1.0;
  double failure_score = 0.0;
  bool add_format_failure_as_feedback = false;
  bool use_merge = true;
  std::size_t max_merge_invocations = 5;

  static GepaSettings parse(const boost::json::object& params, const Task& task);
};

struct GepaCandidate {
  Candidate program;
  std::vector<std::size_t> parents;  // empty for the seed
  std::vector<double> val_scores;    // per validation example
  double mean = 0;
};

struct GepaIteration {
  std::size_t parent = 0;
  std::vector<std::size_t> minibatch;  // trainset indices
  std::string outcome;  // accepted | rejected | perfect | no_feedback | empty_proposal | same
  double parent_sum = 0;
  double child_sum = 0;
};

struct GepaResult {
  Candidate best;
  std::size_t best_index = 0;
  std::vector<GepaCandidate> pool;
  std::vector<GepaIteration> iterations;
  std::size_t metric_calls = 0;
  std::size_t merges_skipped = 0;  // merges that could only reproduce a parent (one predictor)
  std::string stopped;             // max_metric_calls | budget | cancelled
};

// DSPy's GEPA.auto_budget for one predictor.
std::size_t gepa_auto_budget(std::size_t num_candidates, std::size_t valset_size,
                             std::size_t minibatch_size = 35, std::size_t full_eval_steps = 5);

GepaResult gepa(SearchHost& host, const Task& task, const GepaSettings& s);

}  // namespace pipeline::optimizer
