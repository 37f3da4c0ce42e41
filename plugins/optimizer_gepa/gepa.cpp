#include "gepa.hpp"

#include "reflection_prompt.hpp"

#include <optimizer_common/report.hpp>
#include <optimizer_common/rng.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pipeline::optimizer {

namespace {

// DSPy's GEPA AUTO_RUN_SETTINGS (num_candidates for auto_budget).
std::size_t auto_n(const std::string& mode) {
  if (mode == "medium") return 12;
  if (mode == "heavy") return 18;
  return 6;
}

// gepa's EpochShuffledBatchSampler: the trainset ids shuffled once per epoch, padded to a
// multiple of the minibatch size with the least used ids; iteration i takes chunk i.
class EpochSampler {
 public:
  explicit EpochSampler(std::size_t size) : size_(std::max<std::size_t>(size, 1)) {}

  std::vector<std::size_t> next(std::size_t n, std::size_t iteration, Rng& rng) {
    const std::size_t base = iteration * size_;
    const long long epoch =
        epoch_ < 0 ? 0 : static_cast<long long>(base / std::max<std::size_t>(ids_.size(), 1));
    if (ids_.empty() || epoch > epoch_) {
      epoch_ = epoch;
      refresh(n, rng);
    }
    const std::size_t at = base % ids_.size();
    return {ids_.begin() + static_cast<std::ptrdiff_t>(at),
            ids_.begin() + static_cast<std::ptrdiff_t>(at + size_)};
  }

 private:
  void refresh(std::size_t n, Rng& rng) {
    ids_.resize(n);
    std::iota(ids_.begin(), ids_.end(), 0);
    rng.shuffle(ids_);
    std::vector<std::size_t> used(n, 1);
    const std::size_t mod = n % size_;
    const std::size_t pad = mod ? size_ - mod : 0;
    const std::vector<std::size_t> order = ids_;
    for (std::size_t k = 0; k < pad; ++k) {
      // Counter.most_common()[::-1][0]: the least used id, the latest in shuffled order on ties.
      std::size_t pick = order.back();
      for (std::size_t j = order.size(); j-- > 0;)
        if (used[order[j]] < used[pick]) pick = order[j];
      ids_.push_back(pick);
      ++used[pick];
    }
  }

  std::size_t size_;
  long long epoch_ = -1;
  std::vector<std::size_t> ids_;
};

// A metric-call allowance: an evaluation is started only if it fits whole.
struct MetricBudget {
  std::size_t used = 0;
  std::size_t max = 0;
  void need(std::size_t n) const {
    if (used + n > max) throw Stopped(PL_RESOURCE_EXHAUSTED, "max_metric_calls");
  }
};

}  // namespace

std::size_t gepa_auto_budget(std::size_t num_candidates, std::size_t valset_size,
                             std::size_t minibatch_size, std::size_t full_eval_steps) {
  const double n = static_cast<double>(std::max<std::size_t>(num_candidates, 1));
  const std::size_t trials = static_cast<std::size_t>(std::max(2 * 2 * std::log2(n), 1.5 * n));
  const std::size_t m = std::max<std::size_t>(full_eval_steps, 1);
  std::size_t total = valset_size + num_candidates * 5 + trials * minibatch_size;
  if (trials == 0) return total;
  const std::size_t periodic = (trials + 1) / m + 1;
  const std::size_t extra = trials < m ? 1 : 0;
  return total + (periodic + extra) * valset_size;
}

GepaSettings GepaSettings::parse(const boost::json::object& params, const Task& task) {
  Params p(params, "gepa");
  GepaSettings s;
  const auto given = [&](const char* name) {
    const auto* v = p.raw(name);
    return v != nullptr && !v->is_null();
  };
  const bool has_auto = given("auto"), has_calls = given("max_metric_calls"),
             has_full = given("max_full_evals");
  if (has_auto + has_calls + has_full > 1)
    throw sdk::Error(PL_INVALID_ARGUMENT,
                     "gepa: set exactly one of 'auto', 'max_metric_calls', 'max_full_evals'");
  s.auto_mode = p.text("auto", "light", {"light", "medium", "heavy"});
  const std::size_t n_val = task.valset.empty() ? task.trainset.size() : task.valset.size();
  if (has_calls) {
    s.max_metric_calls = static_cast<std::size_t>(p.integer("max_metric_calls", 0, 1, 1000000000));
    s.auto_mode.clear();
  } else if (has_full) {
    const auto k = static_cast<std::size_t>(p.integer("max_full_evals", 0, 1, 1000000));
    s.max_metric_calls = k * (task.trainset.size() + task.valset.size());
    s.auto_mode.clear();
  } else {
    s.max_metric_calls = gepa_auto_budget(auto_n(s.auto_mode), n_val);
  }
  s.reflection_minibatch_size =
      static_cast<std::size_t>(p.integer("reflection_minibatch_size", 3, 1, 1000));
  s.candidate_selection_strategy =
      p.text("candidate_selection_strategy", "pareto", {"pareto", "current_best"});
  s.skip_perfect_score = p.boolean("skip_perfect_score", true);
  s.perfect_score = p.number("perfect_score", 1.0, -1e9, 1e9);
  s.failure_score = p.number("failure_score", 0.0, -1e9, 1e9);
  s.add_format_failure_as_feedback = p.boolean("add_format_failure_as_feedback", false);
  s.use_merge = p.boolean("use_merge", true);
  s.max_merge_invocations =
      static_cast<std::size_t>(p.integer("max_merge_invocations", 5, 0, 1000));
  p.text("reflection_lm", "");  // served by the host's lm (plugin.h), named here for finish()
  p.finish();
  return s;
}

GepaResult gepa(SearchHost& host, const Task& task, const GepaSettings& s) {
  if (task.trainset.empty()) throw sdk::Error(PL_INVALID_ARGUMENT, "gepa: the trainset is empty");
  GepaResult r;
  r.best = task.start;
  // Without a valset GEPA tracks the Pareto front on the trainset (DSPy's "valset or trainset").
  const std::string val_set = task.valset.empty() ? "train" : "val";
  std::vector<std::size_t> val(task.valset.empty() ? task.trainset.size() : task.valset.size());
  std::iota(val.begin(), val.end(), 0);
  Rng rng(task.seed);
  EpochSampler sampler(s.reflection_minibatch_size);
  MetricBudget budget{0, s.max_metric_calls};
  ParetoFront front(val.size());
  std::vector<double> means;

  auto evaluate = [&](const Candidate& c, const std::string& set,
                      const std::vector<std::size_t>& idx, const std::string& label) {
    budget.need(idx.size());
    Evaluation e = host.evaluate(c, set, idx, label);
    budget.used += e.results.size();
    r.metric_calls = budget.used;
    if (!e.complete)
      throw Stopped(e.stopped == "cancelled" ? PL_CANCELLED : PL_RESOURCE_EXHAUSTED,
                    e.stopped.empty() ? std::string("stopped") : e.stopped);
    return e;
  };
  auto add = [&](Candidate c, std::vector<std::size_t> parents, const Evaluation& e) {
    GepaCandidate g{std::move(c), std::move(parents), std::vector<double>(val.size(), 0.0), 0};
    for (const auto& x : e.results)
      if (x.index < val.size()) g.val_scores[x.index] = x.score;
    g.mean = val.empty() ? 0
                         : std::accumulate(g.val_scores.begin(), g.val_scores.end(), 0.0) /
                               static_cast<double>(val.size());
    front.add(r.pool.size(), g.val_scores);
    means.push_back(g.mean);
    r.pool.push_back(std::move(g));
    // The first strictly best mean wins, as gepa's idxmax.
    if (r.pool.size() == 1 || r.pool.back().mean > r.pool[r.best_index].mean) {
      r.best_index = r.pool.size() - 1;
      r.best = r.pool.back().program;
    }
  };

  try {
    report(host, {{"stage", "seed"}, {"message", "evaluating the program as written"}});
    add(task.start, {}, evaluate(task.start, val_set, val, "seed candidate"));

    std::size_t merges_due = 0, merges_tested = 0;
    bool found_new = false;
    for (std::size_t i = 0;; ++i) {
      report(host, {{"stage", "iteration"},
                    {"message", "iteration " + std::to_string(i + 1) + ", " +
                                    std::to_string(budget.used) + " of " +
                                    std::to_string(budget.max) + " metric calls"},
                    {"candidate", r.pool.size()},
                    {"best_score", r.pool[r.best_index].mean}});
      if (budget.used >= budget.max) throw Stopped(PL_RESOURCE_EXHAUSTED, "max_metric_calls");
      if (s.use_merge && merges_due > 0 && found_new) {
        // A step is one predictor: a merge takes each component from one of two descendants of a
        // common ancestor, so it can only rebuild one of them. gepa would spend a subsample
        // evaluation on that copy; we count it and go on to the reflective step, as gepa does
        // when a merge yields nothing new.
        ++r.merges_skipped;
        --merges_due;
        ++merges_tested;
      }
      found_new = false;

      GepaIteration it;
      it.parent = s.candidate_selection_strategy == "current_best" ? r.best_index
                                                                   : front.select(means, rng);
      it.minibatch = sampler.next(task.trainset.size(), i, rng);
      const Candidate& parent = r.pool[it.parent].program;
      const Evaluation before =
          evaluate(parent, "train", it.minibatch, "iteration " + std::to_string(i + 1) + " parent");
      for (const auto& x : before.results) it.parent_sum += x.score;
      const bool perfect =
          std::all_of(before.results.begin(), before.results.end(),
                      [&](const ExampleScore& x) { return x.score >= s.perfect_score; });
      if (s.skip_perfect_score && perfect) {
        it.outcome = "perfect";
        r.iterations.push_back(it);
        continue;
      }
      std::vector<ReflectiveExample> examples;
      for (const auto& x : before.results) {
        // The host reports each result under its trainset index.
        if (x.index >= task.trainset.size()) continue;
        ReflectiveExample ex;
        ex.inputs = task.trainset[x.index].inputs;
        if (!x.error.empty()) {
          if (!s.add_format_failure_as_feedback) continue;
          ex.outputs["raw_response"] =
              "Couldn't parse the output as per the expected output "
              "format: " +
              x.error;
          ex.feedback = "Your output failed to parse. Follow the output structure of the task.";
        } else {
          ex.outputs = x.outputs;
          ex.feedback = x.feedback;
        }
        examples.push_back(std::move(ex));
      }
      if (examples.empty()) {
        it.outcome = "no_feedback";
        r.iterations.push_back(it);
        continue;
      }
      boost::json::array messages{
          {{"role", "user"}, {"content", reflection_prompt(parent.instructions, examples)}}};
      const std::string proposal = extract_instruction(host.chat(messages, RunOptions{}));
      if (proposal.empty() || proposal == parent.instructions) {
        it.outcome = proposal.empty() ? "empty_proposal" : "same";
        r.iterations.push_back(it);
        continue;
      }
      Candidate child{proposal, parent.demos};
      const Evaluation after =
          evaluate(child, "train", it.minibatch, "iteration " + std::to_string(i + 1) + " child");
      for (const auto& x : after.results) it.child_sum += x.score;
      if (!(it.child_sum > it.parent_sum)) {
        it.outcome = "rejected";
        r.iterations.push_back(it);
        continue;
      }
      it.outcome = "accepted";
      r.iterations.push_back(it);
      add(child, {it.parent},
          evaluate(child, val_set, val, "candidate " + std::to_string(r.pool.size())));
      found_new = true;
      if (s.use_merge && merges_tested < s.max_merge_invocations) ++merges_due;
    }
  } catch (const Stopped& e) {
    const std::string why = e.what();
    r.stopped = why == "max_metric_calls"    ? why
                : e.status() == PL_CANCELLED ? "cancelled"
                                             : "budget";
  }
  return r;
}

}  // namespace pipeline::optimizer
