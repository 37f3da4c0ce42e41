#include "labelled_words.hpp"

#include "text_words.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace pipeline::mock {

void LabelledWords::add(std::string_view text, const std::string& label) {
  examples_.push_back({label, content_words_in_order(words(text))});
}

std::vector<InstructionRule> LabelledWords::derive(const DerivationSettings& s,
                                                   const std::string& subject) const {
  std::map<std::string, int> total;                         // word -> examples
  std::map<std::string, std::map<std::string, int>> count;  // label -> word -> examples
  std::vector<std::string> labels;                          // in order of first appearance
  for (const auto& e : examples_) {
    if (std::find(labels.begin(), labels.end(), e.label) == labels.end()) labels.push_back(e.label);
    for (const auto& w : e.words) {
      ++total[w];
      ++count[e.label][w];
    }
  }
  struct Ranked {
    std::size_t covered;
    InstructionRule rule;
  };
  std::vector<Ranked> ranked;
  for (const auto& label : labels) {
    std::set<std::string> cues;
    for (const auto& [w, n] : count[label])
      if (n >= s.min_support && static_cast<double>(n) >= s.min_purity * total.at(w))
        cues.insert(w);
    std::vector<const Example*> open;
    for (const auto& e : examples_)
      if (e.label == label) open.push_back(&e);
    InstructionRule rule{subject, {}, label};
    std::size_t covered = 0;
    while (static_cast<int>(rule.phrases.size()) < s.max_words && !cues.empty()) {
      std::string best;
      std::tuple<std::size_t, int> best_key{0, 0};
      for (const auto& w : cues) {
        std::size_t gain = 0;
        for (const auto* e : open)
          gain += std::find(e->words.begin(), e->words.end(), w) != e->words.end();
        std::tuple<std::size_t, int> key{gain, count[label][w]};
        if (key > best_key) {  // cues are visited alphabetically, so ties keep the first
          best_key = key;
          best = w;
        }
      }
      if (std::get<0>(best_key) == 0) break;
      rule.phrases.push_back(best);
      cues.erase(best);
      covered += std::get<0>(best_key);
      open.erase(std::remove_if(open.begin(), open.end(),
                                [&](const Example* e) {
                                  return std::find(e->words.begin(), e->words.end(), best) !=
                                         e->words.end();
                                }),
                 open.end());
    }
    if (!rule.phrases.empty()) ranked.push_back({covered, std::move(rule)});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return std::tie(b.covered, a.rule.label) < std::tie(a.covered, b.rule.label);
  });
  std::vector<InstructionRule> out;
  for (auto& r : ranked) out.push_back(std::move(r.rule));
  return out;
}

std::string LabelledWords::to_observation_lines(const std::string& inputs,
                                                const std::string& field) const {
  std::string out;
  for (const auto& e : examples_) {
    out += "- " + inputs + " -> " + field + " \"" + e.label + "\":";
    for (const auto& w : e.words) out += " " + w;
    out += "\n";
  }
  return out;
}

std::pair<std::string, std::string> LabelledWords::add_observation_lines(std::string_view text) {
  std::pair<std::string, std::string> named;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t eol = text.find('\n', at);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(at, eol - at);
    at = eol + 1;
    // A line may have the previous batch's last line glued before it (MIPRO concatenates them).
    const std::size_t dash = line.find("- ");
    if (dash == std::string_view::npos) continue;
    line = line.substr(dash + 2);
    const std::size_t arrow = line.find(" -> ");
    if (arrow == std::string_view::npos) continue;
    const std::size_t q1 = line.find(" \"", arrow);
    if (q1 == std::string_view::npos) continue;
    const std::size_t q2 = line.find("\":", q1 + 2);
    if (q2 == std::string_view::npos) continue;
    if (named.first.empty())
      named = {std::string(line.substr(0, arrow)),
               std::string(line.substr(arrow + 4, q1 - arrow - 4))};
    add(line.substr(q2 + 2), std::string(line.substr(q1 + 2, q2 - q1 - 2)));
  }
  return named;
}

}  // namespace pipeline::mock
