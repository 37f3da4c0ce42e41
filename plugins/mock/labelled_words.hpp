// What the simulated model's proposer "learns" from labelled examples: each example's content
// words (text_words.hpp) with its label, and the rules derived from them. A word is a cue for a
// label when at least `min_support` examples of the label contain it and at least `min_purity`
// of all the examples containing it have that label. Each label's rule takes up to `max_words`
// cues greedily: next the cue found in the most examples of the label that no cue taken covers
// (ties: more examples of the label in all, then alphabetical); it stops when no cue covers a
// new example. Rules are ordered by how many examples they cover (then by label). MIPRO's
// observations carry the examples as text lines, so batches add up in its summary.
//
//   LabelledWords w;
//   w.add("My card was charged twice", "billing");
//   auto rules = w.derive({}, "the ticket");
//   std::string lines = w.to_observation_lines("ticket", "category");
#pragma once

#include "instruction_rule.hpp"

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::mock {

struct DerivationSettings {
  int min_support = 2;
  double min_purity = 0.8;
  int max_words = 6;
};

class LabelledWords {
 public:
  void add(std::string_view text, const std::string& label);
  bool empty() const { return examples_.empty(); }
  std::size_t size() const { return examples_.size(); }

  std::vector<InstructionRule> derive(const DerivationSettings& s,
                                      const std::string& subject) const;

  // One line per example: `- <inputs> -> <field> "<label>": word word ...` (its content words
  // in order of appearance).
  std::string to_observation_lines(const std::string& inputs, const std::string& field) const;
  // Adds every such line found in `text`; returns the inputs and field named by the first one.
  std::pair<std::string, std::string> add_observation_lines(std::string_view text);

 private:
  struct Example {
    std::string label;
    std::vector<std::string> words;  // content words, each once, in order
  };
  std::vector<Example> examples_;
};

}  // namespace pipeline::mock
