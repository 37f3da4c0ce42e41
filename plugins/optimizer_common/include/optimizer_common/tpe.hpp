// A seeded Tree-structured Parzen Estimator over categorical parameters (Bergstra et al., 2011),
// the search MIPROv2 runs over (instruction index, demo-set index). It follows what DSPy asks of
// Optuna, TPESampler(seed, multivariate=True), for a purely categorical space:
//   - the first n_startup_trials (10) suggestions are uniform random;
//   - then trials are split into "good" (the best gamma(n) = min(ceil(0.1 n), 25)) and the rest;
//   - each group is a mixture of one kernel per trial plus a uniform prior kernel (weight 1);
//     a trial's kernel puts mass 1 + prior/(kernels) on its own value of each parameter, and
//     prior/(kernels) on every other value (Optuna's categorical Parzen kernel); mixture weights
//     are 1 per trial, older trials ramped down beyond the newest 25 (Optuna's default_weights);
//   - 24 candidates are drawn from the good mixture and the one maximising
//     log l(x) - log g(x) is suggested (the expected-improvement criterion of TPE).
// Our RNG, not numpy's, so the sequence differs from Optuna's; it is the same on every platform.
//
//   CategoricalTpe tpe({n_instructions, n_demo_sets}, seed);
//   tpe.add({0, 0}, default_score);
//   auto x = tpe.suggest();   // {instruction, demo set}
//   tpe.add(x, score);
#pragma once

#include <optimizer_common/rng.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

namespace pipeline::optimizer {

struct TpeSettings {
  std::size_t n_startup_trials = 10;
  std::size_t n_ei_candidates = 24;
  double prior_weight = 1.0;
};

class CategoricalTpe {
 public:
  CategoricalTpe(std::vector<std::size_t> cardinalities, std::uint64_t seed, TpeSettings s = {})
      : card_(std::move(cardinalities)), rng_(seed), s_(s) {
    for (auto& c : card_)
      if (c == 0) c = 1;
  }

  // A finished trial (the objective is maximised).
  void add(const std::vector<std::size_t>& params, double value) {
    trials_.push_back({params, value});
  }

  std::size_t trials() const { return trials_.size(); }

  std::vector<std::size_t> suggest() {
    if (trials_.size() < s_.n_startup_trials) return uniform();
    const auto [good, bad] = split();
    const Mixture l = mixture(good), g = mixture(bad);

    std::vector<std::size_t> best;
    double best_gain = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < s_.n_ei_candidates; ++i) {
      auto x = draw(l);
      const double gain = log_density(l, x) - log_density(g, x);
      if (gain > best_gain) {
        best_gain = gain;
        best = std::move(x);
      }
    }
    return best;
  }

  // The density of the "good" model at x, for tests of the estimator.
  double good_density(const std::vector<std::size_t>& x) const {
    if (trials_.size() < s_.n_startup_trials) return 0;
    return std::exp(log_density(mixture(split().first), x));
  }

 private:
  // The best ceil(10%) of the trials (at most 25) and the rest, each in trial order: Optuna builds
  // its kernels in trial order (the ramp of default_weights is by age). Among equal values the
  // earlier trial ranks first, so the split is stable.
  std::pair<std::vector<std::size_t>, std::vector<std::size_t>> split() const {
    const std::size_t n = trials_.size();
    const std::size_t n_good = std::min<std::size_t>(
        static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(n))), 25);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return trials_[a].value > trials_[b].value;
    });
    std::vector<std::size_t> good(order.begin(),
                                  order.begin() + static_cast<std::ptrdiff_t>(n_good));
    std::vector<std::size_t> bad(order.begin() + static_cast<std::ptrdiff_t>(n_good), order.end());
    std::sort(good.begin(), good.end());
    std::sort(bad.begin(), bad.end());
    return {std::move(good), std::move(bad)};
  }
  struct Trial {
    std::vector<std::size_t> params;
    double value;
  };
  // kernels[k][j][c]: probability of value c of parameter j under kernel k; weights[k] sums to 1.
  struct Mixture {
    std::vector<double> weights;
    std::vector<std::vector<std::vector<double>>> kernels;
  };

  std::vector<std::size_t> uniform() {
    std::vector<std::size_t> x(card_.size());
    for (std::size_t j = 0; j < card_.size(); ++j)
      x[j] = static_cast<std::size_t>(rng_.below(card_[j]));
    return x;
  }

  static std::vector<double> ramp_weights(std::size_t n) {
    std::vector<double> w(n, 1.0);
    if (n < 25) return w;
    const std::size_t ramp = n - 25;
    for (std::size_t i = 0; i < ramp; ++i)
      w[i] = ramp == 1 ? 1.0 / static_cast<double>(n)
                       : 1.0 / static_cast<double>(n) + (1.0 - 1.0 / static_cast<double>(n)) *
                                                            static_cast<double>(i) /
                                                            static_cast<double>(ramp - 1);
    return w;
  }

  Mixture mixture(const std::vector<std::size_t>& members) const {
    Mixture m;
    const std::size_t n_kernels = members.size() + 1;
    const double base = s_.prior_weight / static_cast<double>(n_kernels);
    auto w = ramp_weights(members.size());
    for (std::size_t k = 0; k < members.size(); ++k) {
      std::vector<std::vector<double>> kernel;
      for (std::size_t j = 0; j < card_.size(); ++j) {
        std::vector<double> p(card_[j], base);
        const std::size_t obs =
            trials_[members[k]].params.size() > j ? trials_[members[k]].params[j] : 0;
        if (obs < card_[j]) p[obs] += 1.0;
        normalise(p);
        kernel.push_back(std::move(p));
      }
      m.kernels.push_back(std::move(kernel));
      m.weights.push_back(w[k]);
    }
    std::vector<std::vector<double>> prior;
    for (std::size_t j = 0; j < card_.size(); ++j)
      prior.emplace_back(card_[j], 1.0 / static_cast<double>(card_[j]));
    m.kernels.push_back(std::move(prior));
    m.weights.push_back(s_.prior_weight);
    normalise(m.weights);
    return m;
  }

  static void normalise(std::vector<double>& p) {
    double sum = 0;
    for (double x : p) sum += x;
    if (sum > 0)
      for (double& x : p) x /= sum;
  }

  std::size_t pick(const std::vector<double>& p) {
    const double u = rng_.unit();
    double acc = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      acc += p[i];
      if (u < acc) return i;
    }
    return p.size() - 1;
  }

  std::vector<std::size_t> draw(const Mixture& m) {
    const auto& kernel = m.kernels[pick(m.weights)];
    std::vector<std::size_t> x(card_.size());
    for (std::size_t j = 0; j < card_.size(); ++j) x[j] = pick(kernel[j]);
    return x;
  }

  static double log_density(const Mixture& m, const std::vector<std::size_t>& x) {
    double p = 0;
    for (std::size_t k = 0; k < m.kernels.size(); ++k) {
      double q = m.weights[k];
      for (std::size_t j = 0; j < x.size(); ++j) q *= m.kernels[k][j][x[j]];
      p += q;
    }
    return std::log(p);
  }

  std::vector<std::size_t> card_;
  Rng rng_;
  TpeSettings s_;
  std::vector<Trial> trials_;
};

}  // namespace pipeline::optimizer
