#include "mipro_v2.hpp"

#include "grounded_proposer.hpp"

#include <optimizer_common/demo_sets.hpp>
#include <optimizer_common/report.hpp>
#include <optimizer_common/rng.hpp>
#include <optimizer_common/tpe.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace pipeline::optimizer {

namespace {

struct AutoRun {
  std::size_t n;
  std::size_t val_size;
};

// DSPy's AUTO_RUN_SETTINGS.
AutoRun auto_run(const std::string& mode) {
  if (mode == "medium") return {12, 300};
  if (mode == "heavy") return {18, 1000};
  return {6, 100};
}

constexpr std::size_t kMinMinibatchSize = 50;  // DSPy's MIN_MINIBATCH_SIZE

std::optional<std::size_t> count(Params& p, const char* name, std::int64_t lo, std::int64_t hi) {
  const auto* v = p.raw(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return static_cast<std::size_t>(p.integer(name, 0, lo, hi));
}

// The examples the validation runs on: the task's valset, or DSPy's split of the trainset.
struct Split {
  std::vector<std::size_t> train;
  std::string val_set = "val";
  std::vector<std::size_t> val;
};

Split split(const Task& task) {
  if (task.trainset.empty())
    throw sdk::Error(PL_INVALID_ARGUMENT, "mipro_v2: the trainset is empty");
  Split s;
  if (task.valset.empty()) {
    // _set_and_validate_datasets: without a valset the last 80% (at most 1000) validate.
    if (task.trainset.size() < 2)
      throw sdk::Error(PL_INVALID_ARGUMENT,
                       "mipro_v2: without a valset the trainset needs at least 2 examples");
    const std::size_t n = task.trainset.size();
    const std::size_t val_size =
        std::min<std::size_t>(1000, std::max<std::size_t>(1, static_cast<std::size_t>(n * 0.8)));
    for (std::size_t i = 0; i < n - val_size; ++i) s.train.push_back(i);
    for (std::size_t i = n - val_size; i < n; ++i) s.val.push_back(i);
    s.val_set = "train";
  } else {
    s.train.resize(task.trainset.size());
    std::iota(s.train.begin(), s.train.end(), 0);
    s.val.resize(task.valset.size());
    std::iota(s.val.begin(), s.val.end(), 0);
  }
  return s;
}

std::string key(std::size_t instruction, std::size_t demo_set) {
  return std::to_string(instruction) + "," + std::to_string(demo_set);
}

}  // namespace

std::size_t mipro_num_trials(std::size_t num_candidates, bool zeroshot) {
  const double vars = zeroshot ? 1.0 : 2.0;  // instruction (+ demo set) of one predictor
  const double n = static_cast<double>(std::max<std::size_t>(num_candidates, 1));
  return static_cast<std::size_t>(std::max(2 * vars * std::log2(n), 1.5 * n));
}

MiproSettings MiproSettings::parse(const boost::json::object& params) {
  Params p(params, "mipro_v2");
  MiproSettings s;
  s.num_candidates = count(p, "num_candidates", 1, 1000);
  s.num_trials = count(p, "num_trials", 1, 100000);
  const bool explicit_counts = s.num_candidates || s.num_trials;
  s.auto_mode =
      p.text("auto", explicit_counts ? "none" : "light", {"light", "medium", "heavy", "none"});
  if (s.auto_mode == "none") s.auto_mode.clear();
  if (!s.auto_mode.empty() && explicit_counts)
    throw sdk::Error(PL_INVALID_ARGUMENT,
                     "mipro_v2: parameter 'auto' (" + s.auto_mode +
                         ") cannot be combined with num_candidates or num_trials: they would be "
                         "overridden by the auto settings; set auto=none or drop them");
  if (s.auto_mode.empty() && !s.num_candidates)
    throw sdk::Error(PL_INVALID_ARGUMENT,
                     "mipro_v2: with auto=none, parameter 'num_candidates' is required");
  s.max_bootstrapped_demos =
      static_cast<std::size_t>(p.integer("max_bootstrapped_demos", 4, 0, 100));
  s.max_labeled_demos = static_cast<std::size_t>(p.integer("max_labeled_demos", 4, 0, 100));
  if (s.auto_mode.empty() && !s.num_trials)
    throw sdk::Error(
        PL_INVALID_ARGUMENT,
        "mipro_v2: with auto=none, parameter 'num_trials' is required (for num_candidates=" +
            std::to_string(*s.num_candidates) + " DSPy recommends about " +
            std::to_string(mipro_num_trials(
                *s.num_candidates, s.max_bootstrapped_demos == 0 && s.max_labeled_demos == 0)) +
            ")");
  s.minibatch = p.boolean("minibatch", true);
  s.minibatch_size = static_cast<std::size_t>(p.integer("minibatch_size", 35, 1, 100000));
  s.minibatch_full_eval_steps =
      static_cast<std::size_t>(p.integer("minibatch_full_eval_steps", 5, 1, 100000));
  s.init_temperature = p.number("init_temperature", 0.5, 0.0, 2.0);
  s.view_data_batch_size =
      static_cast<std::size_t>(p.integer("view_data_batch_size", 10, 1, 100000));
  s.program_aware_proposer = p.boolean("program_aware_proposer", true);
  s.data_aware_proposer = p.boolean("data_aware_proposer", true);
  s.tip_aware_proposer = p.boolean("tip_aware_proposer", true);
  s.fewshot_aware_proposer = p.boolean("fewshot_aware_proposer", true);
  s.max_errors = static_cast<std::size_t>(p.integer("max_errors", 10, 1, 1000000));
  if (const auto* t = p.raw("metric_threshold"); t && !t->is_null())
    s.metric_threshold = p.number("metric_threshold", 0, 0, 1);
  p.text("prompt_model", "");  // served by the host's lm (plugin.h), named here for finish()
  p.finish();
  return s;
}

MiproResult mipro_v2(SearchHost& host, const Task& task, const MiproSettings& s) {
  MiproResult r;
  r.best = task.start;
  Rng rng(task.seed);
  Split data = split(task);
  const bool zeroshot = s.max_bootstrapped_demos == 0 && s.max_labeled_demos == 0;

  std::size_t num_instruct = s.num_candidates.value_or(0);
  std::size_t num_fewshot = s.num_candidates.value_or(0);
  std::size_t num_trials = s.num_trials.value_or(0);
  bool minibatch = s.minibatch;
  if (!s.auto_mode.empty()) {
    // _set_hyperparams_from_run_mode: a sampled valset, and minibatches only when it is large.
    const AutoRun a = auto_run(s.auto_mode);
    std::vector<std::size_t> sampled;
    for (std::size_t i : rng.sample(data.val.size(), std::min(a.val_size, data.val.size())))
      sampled.push_back(data.val[i]);
    data.val = std::move(sampled);
    minibatch = data.val.size() > kMinMinibatchSize;
    num_instruct = zeroshot ? a.n : a.n / 2;
    num_fewshot = a.n;
    num_trials = mipro_num_trials(a.n, zeroshot);
  }
  r.num_trials = num_trials;
  r.valset_size = data.val.size();
  if (minibatch && s.minibatch_size > data.val.size())
    throw sdk::Error(PL_INVALID_ARGUMENT, "mipro_v2: parameter 'minibatch_size' (" +
                                              std::to_string(s.minibatch_size) +
                                              ") cannot exceed the size of the valset (" +
                                              std::to_string(data.val.size()) + ")");

  auto evaluate = [&](const Candidate& c, const std::vector<std::size_t>& idx,
                      const std::string& label) {
    Evaluation e = host.evaluate(c, data.val_set, idx, label);
    if (!e.complete)
      throw Stopped(e.stopped == "cancelled" ? PL_CANCELLED : PL_RESOURCE_EXHAUSTED,
                    "mipro_v2: " + (e.stopped.empty() ? std::string("stopped") : e.stopped));
    return e.score;
  };

  try {
    // Step 1: demo-set candidates (for a zero-shot optimization they only feed the proposer).
    DemoSetSettings bs;
    bs.max_bootstrapped_demos = zeroshot ? 3 : s.max_bootstrapped_demos;
    bs.max_labeled_demos = zeroshot ? 0 : s.max_labeled_demos;
    bs.max_errors = s.max_errors;
    bs.metric_threshold = s.metric_threshold;
    ErrorBudget errors;
    r.demo_sets = demo_set_candidates(host, task, data.train, num_fewshot, bs, rng, errors);

    // Step 2: instruction candidates.
    ProposerSettings ps;
    ps.program_aware = s.program_aware_proposer;
    ps.data_aware = s.data_aware_proposer;
    ps.tip_aware = s.tip_aware_proposer;
    ps.fewshot_aware = s.fewshot_aware_proposer;
    ps.view_data_batch_size = s.view_data_batch_size;
    ps.init_temperature = s.init_temperature;
    GroundedProposer proposer(host, task, data.train, ps, rng);
    r.instructions = proposer.propose(r.demo_sets, num_instruct);
    if (zeroshot) r.demo_sets.clear();

    // Step 3: the search. Trial 0 is the program as written, fully evaluated.
    const std::size_t n_demo = r.demo_sets.size();
    auto build = [&](std::size_t i, std::size_t d) {
      Candidate c{r.instructions[i], n_demo ? r.demo_sets[d] : task.start.demos};
      return c;
    };
    const std::size_t m = s.minibatch_full_eval_steps;
    const std::size_t full_evals = minibatch ? num_trials / m + (num_trials % m ? 1 : 0) : 0;
    const std::size_t total = 1 + num_trials + full_evals;
    std::size_t step = 1;
    report(host, {{"stage", "search"},
                  {"message", "full evaluation of the program as written"},
                  {"candidate", step},
                  {"of", total}});
    const double default_score = evaluate(task.start, data.val, "default program");
    r.best_score = default_score;
    r.trials.push_back({0, 0, default_score, true});
    std::vector<std::size_t> card{r.instructions.size()};
    if (n_demo) card.push_back(n_demo);
    CategoricalTpe tpe(card, task.seed);
    auto params = [&](std::size_t i, std::size_t d) {
      std::vector<std::size_t> x{i};
      if (n_demo) x.push_back(d);
      return x;
    };
    tpe.add(params(0, 0), default_score);

    // Minibatch scores per configuration, in first-seen order (ties go to the earlier one).
    std::vector<std::string> order;
    std::map<std::string, std::vector<double>> mb_scores;
    std::map<std::string, std::pair<std::size_t, std::size_t>> combo;
    std::map<std::string, double> fully_evaluated;

    for (std::size_t t = 1; t <= num_trials; ++t) {
      const auto x = tpe.suggest();
      const std::size_t ii = x[0], dd = n_demo ? x[1] : 0;
      const Candidate c = build(ii, dd);
      ++step;
      report(host, {{"stage", "search"},
                    {"message", "trial " + std::to_string(t) + " of " + std::to_string(num_trials) +
                                    ": instruction " + std::to_string(ii) + ", demo set " +
                                    std::to_string(dd) + (minibatch ? " (minibatch)" : "")},
                    {"candidate", step},
                    {"of", total},
                    {"best_score", *r.best_score}});
      double score;
      if (minibatch) {
        // create_minibatch: a fresh random sample of the valset per trial.
        std::vector<std::size_t> batch;
        for (std::size_t i : rng.sample(data.val.size(), s.minibatch_size))
          batch.push_back(data.val[i]);
        score = evaluate(c, batch, "trial " + std::to_string(t) + " (minibatch)");
      } else {
        score = evaluate(c, data.val, "trial " + std::to_string(t));
        if (score > *r.best_score) {
          r.best_score = score;
          r.best = c;
        }
      }
      r.trials.push_back({ii, dd, score, !minibatch});
      tpe.add(x, score);
      const std::string k = key(ii, dd);
      if (!mb_scores.count(k)) order.push_back(k);
      mb_scores[k].push_back(score);
      combo[k] = {ii, dd};

      if (minibatch && (t % m == 0 || t == num_trials)) {
        // The best-averaging configuration not yet fully evaluated (DSPy raises when none is
        // left; we skip the evaluation).
        std::vector<std::pair<std::string, double>> means;
        for (const auto& kk : order) {
          if (fully_evaluated.count(kk)) continue;
          const auto& v = mb_scores[kk];
          means.emplace_back(kk, std::accumulate(v.begin(), v.end(), 0.0) / v.size());
        }
        std::stable_sort(means.begin(), means.end(),
                         [](const auto& a, const auto& b) { return a.second > b.second; });
        if (means.empty()) continue;
        const auto [bi, bd] = combo[means.front().first];
        const Candidate fc = build(bi, bd);
        ++step;
        report(host, {{"stage", "search"},
                      {"message", "full evaluation of instruction " + std::to_string(bi) +
                                      ", demo set " + std::to_string(bd) + " (minibatch mean " +
                                      std::to_string(means.front().second) + ")"},
                      {"candidate", step},
                      {"of", total},
                      {"best_score", *r.best_score}});
        const double full = evaluate(fc, data.val, "full evaluation " + std::to_string(step));
        fully_evaluated[means.front().first] = full;
        r.trials.push_back({bi, bd, full, true});
        tpe.add(params(bi, bd), full);
        if (full > *r.best_score) {
          r.best_score = full;
          r.best = fc;
        }
      }
    }
  } catch (const Stopped& e) {
    r.stopped = e.status() == PL_CANCELLED ? "cancelled" : "budget";
  }
  return r;
}

}  // namespace pipeline::optimizer
