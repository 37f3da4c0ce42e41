#include "task_answer.hpp"

#include "instruction_rule.hpp"
#include "prompt_hash.hpp"
#include "text_words.hpp"

#include <algorithm>
#include <map>

namespace json = boost::json;

namespace pipeline::mock {

namespace {

std::string inputs_text(const DspyPrompt& p, const json::object& values) {
  std::string s;
  for (const auto& f : p.inputs)
    if (const auto* v = values.if_contains(f.name)) s += value_text(*v) + "\n";
  return s;
}

json::value type_default(const PromptField& f) {
  if (!f.allowed.empty()) return json::value(f.allowed.front());
  if (f.type == "bool") return json::value("False");
  if (f.type == "int") return json::value("0");
  if (f.type == "float") return json::value("0.5");
  if (f.type.rfind("list", 0) == 0) return json::value("[]");
  if (f.type.rfind("dict", 0) == 0) return json::value("{}");
  return json::value("unknown");
}

void push_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

const PromptField& decision_field(const DspyPrompt& prompt) {
  for (const auto& f : prompt.outputs)
    if (f.name != "reasoning") return f;
  return prompt.outputs.front();
}

TaskAnswer answer_task(const DspyPrompt& p, const SimulationSettings& s, uint64_t prompt_hash) {
  const PromptField& field = decision_field(p);
  const std::vector<std::string> input_words = words(inputs_text(p, p.values));
  const std::vector<InstructionRule> rules = parse_rules(p.instructions);
  TaskAnswer a;
  std::string value;
  const PromptDemo* copied = nullptr;

  std::string phrase;
  if (int r = first_match(rules, input_words, &phrase); r >= 0) {
    value = rules[static_cast<std::size_t>(r)].label;
    a.source = "rule " + std::to_string(r + 1) + " (\"" + phrase + "\")";
  } else {
    const std::set<std::string> mine = content_words(input_words);
    std::size_t best = 0;
    for (std::size_t i = 0; i < p.demos.size(); ++i) {
      if (!p.demos[i].outputs.contains(field.name)) continue;
      const std::set<std::string> theirs = content_words(words(inputs_text(p, p.demos[i].inputs)));
      std::size_t shared = 0;
      for (const auto& w : theirs) shared += mine.count(w);
      if (shared > best) {
        best = shared;
        copied = &p.demos[i];
        a.source =
            "demo " + std::to_string(i + 1) + " (" + std::to_string(shared) + " shared words)";
      }
    }
    if (copied && best < static_cast<std::size_t>(s.min_overlap)) copied = nullptr;
    if (copied) {
      value = value_text(copied->outputs.at(field.name));
    } else {
      for (const auto& label : field.allowed)
        if (contains_phrase(input_words, label)) {
          value = label;
          a.source = "label named";
          break;
        }
    }
    if (value.empty() && !copied) {
      a.source = "fallback";
      if (!s.fallback.empty()) {
        value = s.fallback;
      } else {
        std::vector<std::string> order;
        std::map<std::string, int> count;
        for (const auto& d : p.demos)
          if (const auto* v = d.outputs.if_contains(field.name)) {
            push_unique(order, value_text(*v));
            ++count[value_text(*v)];
          }
        for (const auto& l : order)
          if (value.empty() || count[l] > count[value]) value = l;
        if (value.empty()) value = value_text(type_default(field));
      }
    }
  }

  if (s.noise > 0.0) {
    const uint64_t h = fnv1a("noise", prompt_hash ^ seed_basis(s.seed));
    if (unit_interval(h) < s.noise) {
      std::vector<std::string> others;
      if (!field.allowed.empty()) {
        others = field.allowed;
      } else {
        for (const auto& d : p.demos)
          if (const auto* v = d.outputs.if_contains(field.name))
            push_unique(others, value_text(*v));
        for (const auto& r : rules) push_unique(others, r.label);
      }
      others.erase(std::remove(others.begin(), others.end(), value), others.end());
      if (!others.empty()) {
        value = others[mix(h + 1) % others.size()];
        a.noisy = true;
      }
    }
  }

  for (const auto& f : p.outputs) {
    if (&f == &field) {
      a.outputs[f.name] = value;
    } else if (f.name == "reasoning") {
      a.outputs[f.name] =
          "Simulated model: answered by " + a.source + (a.noisy ? ", then noise" : "") + ".";
    } else if (const auto* v = copied ? copied->outputs.if_contains(f.name) : nullptr) {
      a.outputs[f.name] = *v;
    } else {
      a.outputs[f.name] = type_default(f);
    }
  }
  return a;
}

}  // namespace pipeline::mock
