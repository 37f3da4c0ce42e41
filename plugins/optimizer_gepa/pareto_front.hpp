// GEPA's per-example Pareto front over the validation set (gepa-ai/gepa: core/state.py and
// gepa_utils.py). For every validation example it keeps the best score seen and the set of
// candidates reaching it. Selection first drops dominated candidates (a candidate is dominated
// when, on every example whose front holds it, another surviving candidate is there too; tried
// from the lowest mean score up, one at a time, until none is), then samples a candidate with
// probability proportional to the number of fronts it is on.
//
//   ParetoFront front(valset_size);
//   front.add(0, seed_scores);
//   front.add(1, child_scores);
//   std::size_t parent = front.select(mean_scores, rng);
#pragma once

#include <optimizer_common/rng.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace pipeline::optimizer {

class ParetoFront {
 public:
  explicit ParetoFront(std::size_t examples)
      : best_(examples, -std::numeric_limits<double>::infinity()), fronts_(examples) {}

  // Candidate `program`'s score on each validation example (scores.size() == examples).
  void add(std::size_t program, const std::vector<double>& scores) {
    for (std::size_t i = 0; i < scores.size() && i < best_.size(); ++i) {
      if (scores[i] > best_[i]) {
        best_[i] = scores[i];
        fronts_[i] = {program};
      } else if (scores[i] == best_[i]) {
        fronts_[i].insert(program);
      }
    }
  }

  const std::vector<double>& best() const { return best_; }
  const std::vector<std::set<std::size_t>>& fronts() const { return fronts_; }

  // The fronts with dominated candidates removed; `mean` is each candidate's mean validation
  // score (the order in which candidates are tested for dominance).
  std::vector<std::set<std::size_t>> without_dominated(const std::vector<double>& mean) const {
    std::vector<std::size_t> programs;
    {
      std::set<std::size_t> seen;
      for (const auto& f : fronts_)
        for (auto p : f)
          if (seen.insert(p).second) programs.push_back(p);
    }
    auto score = [&](std::size_t p) { return p < mean.size() ? mean[p] : 1.0; };
    std::stable_sort(programs.begin(), programs.end(),
                     [&](std::size_t a, std::size_t b) { return score(a) < score(b); });
    std::set<std::size_t> dominated;
    for (bool found = true; found;) {
      found = false;
      for (auto y : programs) {
        if (dominated.count(y)) continue;
        std::set<std::size_t> others;
        for (auto p : programs)
          if (p != y && !dominated.count(p)) others.insert(p);
        if (is_dominated(y, others)) {
          dominated.insert(y);
          found = true;
          break;
        }
      }
    }
    std::vector<std::set<std::size_t>> out;
    for (const auto& f : fronts_) {
      std::set<std::size_t> g;
      for (auto p : f)
        if (!dominated.count(p)) g.insert(p);
      out.push_back(std::move(g));
    }
    return out;
  }

  // How many fronts each surviving candidate is on, in order of first appearance.
  std::vector<std::pair<std::size_t, std::size_t>> frequencies(
      const std::vector<double>& mean) const {
    std::vector<std::pair<std::size_t, std::size_t>> freq;
    std::map<std::size_t, std::size_t> at;
    for (const auto& f : without_dominated(mean))
      for (auto p : f) {
        auto it = at.find(p);
        if (it == at.end()) {
          at[p] = freq.size();
          freq.emplace_back(p, 1);
        } else {
          ++freq[it->second].second;
        }
      }
    return freq;
  }

  // gepa's select_program_candidate_from_pareto_front: one draw from the frequency-weighted list.
  std::size_t select(const std::vector<double>& mean, Rng& rng) const {
    std::vector<std::size_t> list;
    for (const auto& [p, n] : frequencies(mean)) list.insert(list.end(), n, p);
    if (list.empty()) return 0;
    return list[static_cast<std::size_t>(rng.below(list.size()))];
  }

 private:
  bool is_dominated(std::size_t y, const std::set<std::size_t>& others) const {
    for (const auto& f : fronts_) {
      if (!f.count(y)) continue;
      bool covered = false;
      for (auto p : f)
        if (others.count(p)) {
          covered = true;
          break;
        }
      if (!covered) return false;
    }
    return true;
  }

  std::vector<double> best_;
  std::vector<std::set<std::size_t>> fronts_;
};

}  // namespace pipeline::optimizer
