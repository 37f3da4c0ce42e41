// MIPROv2 (Opsahl-Ong et al., 2024; DSPy's dspy/teleprompt/mipro_optimizer_v2.py) over a
// SearchHost: bootstrap candidate demo sets, propose candidate instructions with the LM, then a
// seeded TPE search over (instruction, demo set) scored on minibatches of the validation set, with
// a full evaluation of the best-averaging configuration every minibatch_full_eval_steps trials.
// The result is the configuration with the best full-validation score (the program as written
// when nothing beats it). A spent budget or a cancel ends the search with the best so far.
//
//   MiproSettings s = MiproSettings::parse(task.params);
//   MiproResult r = mipro_v2(host, task, s);
//   r.best.to_json();
#pragma once

#include <optimizer_common/candidate.hpp>
#include <optimizer_common/search_host.hpp>
#include <optimizer_common/task.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::optimizer {

struct MiproSettings {
  std::string auto_mode = "light";  // light | medium | heavy | "" (explicit counts)
  std::optional<std::size_t> num_candidates;
  std::optional<std::size_t> num_trials;
  std::size_t max_bootstrapped_demos = 4;
  std::size_t max_labeled_demos = 4;
  bool minibatch = true;
  std::size_t minibatch_size = 35;
  std::size_t minibatch_full_eval_steps = 5;
  double init_temperature = 0.5;
  std::size_t view_data_batch_size = 10;
  bool program_aware_proposer = true;
  bool data_aware_proposer = true;
  bool tip_aware_proposer = true;
  bool fewshot_aware_proposer = true;
  std::size_t max_errors = 10;
  std::optional<double> metric_threshold;

  // Refuses unknown names and DSPy's contradictions (auto together with explicit counts).
  static MiproSettings parse(const boost::json::object& params);
};

struct MiproTrial {
  std::size_t instruction = 0;
  std::size_t demo_set = 0;
  double score = 0;
  bool full = false;  // a full-validation evaluation, not a minibatch
};

struct MiproResult {
  Candidate best;
  std::optional<double> best_score;  // full validation; none when stopped before any
  std::vector<std::string> instructions;
  std::vector<boost::json::array> demo_sets;  // empty for a zero-shot optimization
  std::vector<MiproTrial> trials;
  std::size_t num_trials = 0;  // the minibatch (or full) trials planned
  std::size_t valset_size = 0;
  std::string stopped;  // why the search ended early (budget, cancelled), else empty
};

MiproResult mipro_v2(SearchHost& host, const Task& task, const MiproSettings& s);

// DSPy's _set_num_trials_from_num_candidates for one predictor.
std::size_t mipro_num_trials(std::size_t num_candidates, bool zeroshot);

}  // namespace pipeline::optimizer
