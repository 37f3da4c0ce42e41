#include "reflection_reply.hpp"

#include "instruction_rule.hpp"
#include "text_words.hpp"

#include <algorithm>
#include <set>
#include <vector>

namespace pipeline::mock {

namespace {

struct Shown {
  std::vector<std::pair<std::string, std::string>> inputs, outputs;
  std::string feedback;
  std::string label;
  bool failing = false;
};

std::vector<Shown> parse_examples(std::string_view block) {
  std::vector<Shown> out;
  enum class Part { kNone, kInputs, kOutputs, kFeedback } part = Part::kNone;
  std::size_t at = 0;
  while (at <= block.size()) {
    std::size_t nl = block.find('\n', at);
    if (nl == std::string_view::npos) nl = block.size();
    std::string line(block.substr(at, nl - at));
    at = nl + 1;
    if (line.rfind("# Example ", 0) == 0) {
      out.emplace_back();
      part = Part::kNone;
    } else if (out.empty()) {
      continue;
    } else if (line == "## Inputs") {
      part = Part::kInputs;
    } else if (line == "## Generated Outputs") {
      part = Part::kOutputs;
    } else if (line == "## Feedback") {
      part = Part::kFeedback;
    } else if (line.rfind("### ", 0) == 0 && (part == Part::kInputs || part == Part::kOutputs)) {
      (part == Part::kInputs ? out.back().inputs : out.back().outputs)
          .emplace_back(line.substr(4), "");
    } else if (part == Part::kFeedback) {
      out.back().feedback += line + "\n";
    } else if (part == Part::kInputs && !out.back().inputs.empty()) {
      out.back().inputs.back().second += line + "\n";
    } else if (part == Part::kOutputs && !out.back().outputs.empty()) {
      out.back().outputs.back().second += line + "\n";
    }
  }
  for (auto& e : out) {
    e.feedback = trim(e.feedback);
    std::string generated;
    for (const auto& [name, value] : e.outputs)
      if (name != "reasoning") {
        generated = trim(value);
        break;
      }
    constexpr std::string_view kExpected = "expected '";
    if (e.feedback.empty()) {
      e.label = generated;
    } else if (auto p = e.feedback.find(kExpected); p != std::string::npos) {
      const std::size_t from = p + kExpected.size();
      const std::size_t to = e.feedback.find("', got '", from);
      if (to != std::string::npos) {
        e.label = e.feedback.substr(from, to - from);
        e.failing = true;
      }
    }
  }
  return out;
}

std::string inputs_text(const Shown& e) {
  std::string s;
  for (const auto& [name, value] : e.inputs) s += value + "\n";
  return s;
}

}  // namespace

std::optional<std::string> reflection_reply(std::string_view prompt, const SimulationSettings& s) {
  if (prompt.substr(0, kReflectionOpening.size()) != kReflectionOpening) return std::nullopt;
  const std::size_t i_open = prompt.find("```\n");
  const std::size_t i_close =
      i_open == std::string_view::npos ? i_open : prompt.find("\n```", i_open + 4);
  if (i_close == std::string_view::npos) return std::nullopt;
  const std::string current(prompt.substr(i_open + 4, i_close - i_open - 4));
  const std::size_t e_open = prompt.find("```\n", i_close + 4);
  const std::size_t e_close =
      e_open == std::string_view::npos ? e_open : prompt.find("\n```\n\nYour task", e_open + 4);
  std::vector<Shown> shown;
  if (e_close != std::string_view::npos)
    shown = parse_examples(prompt.substr(e_open + 4, e_close - e_open - 4));

  std::vector<InstructionRule> rules = parse_rules(current);
  std::string subject = "the input";
  if (!shown.empty() && shown.front().inputs.size() == 1) {
    subject = "the " + shown.front().inputs.front().first;
    for (auto& c : subject)
      if (c == '_') c = ' ';
  }
  for (const auto& e : shown) {
    if (!e.failing || e.label.empty()) continue;
    const std::vector<std::string> ws = words(inputs_text(e));
    std::set<std::string> other_words;
    for (const auto& o : shown)
      if (&o != &e && !o.label.empty() && o.label != e.label)
        for (const auto& w : content_words(words(inputs_text(o)))) other_words.insert(w);
    std::vector<std::string> cues;
    for (const auto& w : content_words_in_order(ws))
      if (w.size() >= 4 && !other_words.count(w) && !has_phrase(rules, w)) cues.push_back(w);
    std::stable_sort(cues.begin(), cues.end(), [](const std::string& a, const std::string& b) {
      return a.size() > b.size();
    });
    if (cues.size() > static_cast<std::size_t>(s.reflection_words))
      cues.resize(static_cast<std::size_t>(s.reflection_words));
    // A phrase of another label's rule found in a failing example misled the model: dropped.
    for (auto& r : rules) {
      if (r.label == e.label) continue;
      r.phrases.erase(std::remove_if(r.phrases.begin(), r.phrases.end(),
                                     [&](const std::string& p) { return contains_phrase(ws, p); }),
                      r.phrases.end());
    }
    rules.erase(std::remove_if(rules.begin(), rules.end(),
                               [](const InstructionRule& r) { return r.phrases.empty(); }),
                rules.end());
    if (!cues.empty()) merge_rule(rules, InstructionRule{subject, cues, e.label});
  }
  // Nothing learnt: the instruction exactly as it was, so GEPA sees no new candidate.
  if (render_rules(rules) == render_rules(parse_rules(current))) return "```\n" + current + "\n```";
  std::string text = without_rules(current);
  text += (text.empty() ? "" : "\n") + render_rules(rules);
  return "```\n" + text + "\n```";
}

}  // namespace pipeline::mock
