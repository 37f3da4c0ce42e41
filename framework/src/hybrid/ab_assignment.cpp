#include <pipeline/hybrid/ab_assignment.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace pipeline {

namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

void fnv(std::uint64_t& h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
}

std::uint64_t mix(std::uint64_t z) {  // splitmix64's finalizer
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double unit(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

// splitmix64: small, fast, and the same sequence on every platform (std:: distributions are
// not specified bit for bit, and reruns must reproduce everywhere).
class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}
  double uniform() {  // (0, 1): never 0, so log() is finite
    double u;
    do u = unit(next());
    while (u == 0);
    return u;
  }
  double normal() {  // Box-Muller, one of the pair
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double gamma(double a) {  // Marsaglia-Tsang
    if (a < 1) return gamma(a + 1) * std::pow(uniform(), 1 / a);
    const double d = a - 1.0 / 3, c = 1 / std::sqrt(9 * d);
    for (;;) {
      double x = normal(), v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      if (std::log(uniform()) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }
  double beta(const BetaPosterior& p) {
    const double x = gamma(p.alpha), y = gamma(p.beta);
    return x / (x + y);
  }

 private:
  std::uint64_t next() { return mix(state_ += 0x9e3779b97f4a7c15ull); }
  std::uint64_t state_;
};

double sd(const BetaPosterior& p) {
  const double s = p.alpha + p.beta;
  return std::sqrt(p.alpha * p.beta / (s * s * (s + 1)));
}

}  // namespace

std::uint64_t assignment_hash(std::string_view workflow, std::string_view step,
                              std::string_view episode) {
  std::uint64_t h = kFnvOffset;
  // A separator byte that cannot occur in YAML names keeps ("ab","c") apart from ("a","bc").
  fnv(h, workflow);
  fnv(h, std::string_view("\x1f", 1));
  fnv(h, step);
  fnv(h, std::string_view("\x1f", 1));
  fnv(h, episode);
  return mix(h);
}

double assignment_point(std::string_view workflow, std::string_view step,
                        std::string_view episode) {
  return unit(assignment_hash(workflow, step, episode));
}

Variant split_assign(std::string_view workflow, std::string_view step, std::string_view episode,
                     double share) {
  return assignment_point(workflow, step, episode) < share ? Variant::kDspyOptimized
                                                           : Variant::kTraditional;
}

BetaPosterior BetaPosterior::of(const ModeStats& s) {
  const double sum = std::clamp(s.quality_sum, 0.0, static_cast<double>(s.quality_n));
  return {1 + sum, 1 + static_cast<double>(s.quality_n) - sum};
}

double probability_better(const BetaPosterior& a, const BetaPosterior& b) {
  // Midpoint rule over the span where either density has mass (each mean +- 10 sd), 256
  // cells (under 0.1 sd each for overlapping posteriors): both densities normalized on the
  // grid, P = sum_i f_a(x_i) * F_b(x_i). The logs are shared by both densities, so this stays
  // around ten microseconds: the router calls it once per adaptive step.
  constexpr int kCells = 256;
  const double lo = std::max(0.0, std::min(a.mean() - 10 * sd(a), b.mean() - 10 * sd(b)));
  const double hi = std::min(1.0, std::max(a.mean() + 10 * sd(a), b.mean() + 10 * sd(b)));
  const double h = (hi - lo) / kCells;
  std::array<double, kCells> la{}, lb{};
  double ma = -INFINITY, mb = -INFINITY;
  for (int i = 0; i < kCells; ++i) {
    const double x = lo + (i + 0.5) * h;
    const double lx = std::log(x), l1x = std::log1p(-x);
    la[i] = (a.alpha - 1) * lx + (a.beta - 1) * l1x;
    lb[i] = (b.alpha - 1) * lx + (b.beta - 1) * l1x;
    ma = std::max(ma, la[i]);
    mb = std::max(mb, lb[i]);
  }
  double za = 0, zb = 0;
  for (int i = 0; i < kCells; ++i) {
    la[i] = std::exp(la[i] - ma);
    lb[i] = std::exp(lb[i] - mb);
    za += la[i];
    zb += lb[i];
  }
  double p = 0, cdf_b = 0;
  for (int i = 0; i < kCells; ++i) {
    const double fb = lb[i] / zb;
    p += la[i] / za * (cdf_b + fb / 2);
    cdf_b += fb;
  }
  return std::clamp(p, 0.0, 1.0);
}

json::object AdaptiveDecision::to_json() const {
  return {{"decided", decided},
          {"winner", variant_name(winner)},
          {"probability", probability},
          {"samples",
           json::object{{"traditional", traditional_samples}, {"dspy_optimized", dspy_samples}}}};
}

AdaptiveDecision adaptive_decision(const ModeStats& traditional, const ModeStats& dspy,
                                   double confidence, std::int64_t min_samples) {
  AdaptiveDecision d;
  d.traditional_samples = traditional.quality_n;
  d.dspy_samples = dspy.quality_n;
  const double p_dspy = probability_better(BetaPosterior::of(dspy), BetaPosterior::of(traditional));
  d.winner = p_dspy >= 0.5 ? Variant::kDspyOptimized : Variant::kTraditional;
  d.probability = std::max(p_dspy, 1 - p_dspy);
  d.decided = traditional.quality_n >= min_samples && dspy.quality_n >= min_samples &&
              d.probability >= confidence;
  return d;
}

Variant adaptive_assign(std::string_view workflow, std::string_view step, std::string_view episode,
                        const ModeStats& traditional, const ModeStats& dspy) {
  SplitMix rng(assignment_hash(workflow, step, episode));
  const double t = rng.beta(BetaPosterior::of(traditional));
  const double d = rng.beta(BetaPosterior::of(dspy));
  return d > t ? Variant::kDspyOptimized : Variant::kTraditional;
}

}  // namespace pipeline
