#include "proposer_replies.hpp"

#include "instruction_rule.hpp"
#include "labelled_words.hpp"
#include "text_words.hpp"

#include <pipeline/sdk/json_parse.hpp>

namespace json = boost::json;

namespace pipeline::mock {

namespace {

std::string input(const DspyPrompt& p, const char* name) {
  const auto* v = p.values.if_contains(name);
  return v ? value_text(*v) : std::string();
}

std::string subject_for(const std::vector<std::string>& inputs) {
  if (inputs.size() != 1) return "the input";
  std::string s = "the " + inputs.front();
  for (auto& c : s)
    if (c == '_') c = ' ';
  return s;
}

std::vector<std::string> split_names(std::string_view list) {
  std::vector<std::string> out;
  std::size_t p = 0;
  while (p <= list.size()) {
    std::size_t comma = list.find(',', p);
    if (comma == std::string_view::npos) comma = list.size();
    if (std::string n = trim(list.substr(p, comma - p)); !n.empty()) out.push_back(n);
    p = comma + 1;
  }
  return out;
}

// DSPy's repr of the examples: `Example({...json...}) (input_keys={a, b})`, in a list.
void count_examples(std::string_view text, LabelledWords& counts, std::vector<std::string>& inputs,
                    std::string& field) {
  std::size_t at = 0;
  while ((at = text.find("Example({", at)) != std::string_view::npos) {
    const std::size_t open = at + 8;
    // The JSON object: braces balanced outside strings.
    int depth = 0;
    bool in_string = false, escaped = false;
    std::size_t end = std::string_view::npos;
    for (std::size_t i = open; i < text.size(); ++i) {
      const char c = text[i];
      if (in_string) {
        if (escaped)
          escaped = false;
        else if (c == '\\')
          escaped = true;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}' && --depth == 0) {
        end = i + 1;
        break;
      }
    }
    if (end == std::string_view::npos) return;
    at = end;
    boost::system::error_code ec;
    json::value v = pipeline::sdk::parse_json(text.substr(open, end - open), ec);
    constexpr std::string_view kKeys = ") (input_keys={";
    if (ec || !v.is_object() || text.substr(end, kKeys.size()) != kKeys) continue;
    const std::size_t close = text.find('}', end + kKeys.size());
    if (close == std::string_view::npos) return;
    std::vector<std::string> keys =
        split_names(text.substr(end + kKeys.size(), close - end - kKeys.size()));
    std::string in_text, label, label_field;
    for (const auto& kv : v.get_object()) {
      const std::string key(kv.key());
      if (std::find(keys.begin(), keys.end(), key) != keys.end())
        in_text += value_text(kv.value()) + "\n";
      else if (label_field.empty() && key != "reasoning") {
        label_field = key;
        label = value_text(kv.value());
      }
    }
    if (label_field.empty() || trim(label).empty()) continue;
    if (inputs.empty()) inputs = keys;
    if (field.empty()) field = label_field;
    counts.add(in_text, trim(label));
  }
}

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

json::object observations(const DspyPrompt& p) {
  LabelledWords counts;
  std::vector<std::string> inputs;
  std::string field;
  count_examples(input(p, "examples"), counts, inputs, field);
  std::string text;
  if (counts.empty()) {
    text = "The examples show no labelled field.";
  } else {
    text = "Each example pairs its " + join(inputs) + " with a " + field +
           ". The content words of "
           "each example, with its " +
           field + ":\n" + counts.to_observation_lines(join(inputs), field) +
           "(end of the examples)";
  }
  return json::object{{"observations", text}};
}

json::object summary(const DspyPrompt& p, const SimulationSettings& s) {
  LabelledWords counts;
  auto [inputs, field] = counts.add_observation_lines(input(p, "observations"));
  std::vector<InstructionRule> rules =
      counts.derive(s.derivation, subject_for(split_names(inputs)));
  std::string text;
  if (rules.empty()) {
    text = "The observations name no word that marks one label reliably.";
  } else {
    text = "The examples pair a " + inputs + " with a " + field +
           ", and in them these rules hold:\n" + render_rules(rules);
  }
  return json::object{{"summary", text}};
}

// task_demos: examples separated by blank lines, one `Label: value` line per field, the outputs
// last (as many lines as the module's outputs, else one).
void count_task_demos(std::string_view text, std::size_t n_outputs, LabelledWords& counts,
                      std::string& first_label) {
  std::vector<std::string> block;
  auto flush = [&] {
    if (block.size() > n_outputs) {
      std::string in_text;
      for (std::size_t i = 0; i + n_outputs < block.size(); ++i) in_text += block[i] + "\n";
      std::string label = trim(block[block.size() - n_outputs]);
      if (!label.empty() && label != "None") counts.add(in_text, label);
    }
    block.clear();
  };
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line = trim(text.substr(at, nl - at));
    at = nl + 1;
    if (line.empty()) {
      flush();
      continue;
    }
    const std::size_t colon = line.find(": ");
    if (block.empty() && first_label.empty() && colon != std::string::npos)
      first_label = line.substr(0, colon);
    block.push_back(colon == std::string::npos ? line : line.substr(colon + 2));
  }
  flush();
}

json::object proposal(const DspyPrompt& p, const SimulationSettings& s) {
  const std::string basic = input(p, "basic_instruction");
  std::vector<std::string> module_inputs;
  std::size_t n_outputs = 1;
  // `module` is "Predict(ticket) -> category" when the proposer is program-aware.
  if (std::string m = input(p, "module"); !m.empty()) {
    const std::size_t open = m.find('('), close = m.find(')'), arrow = m.find("->");
    if (open != std::string::npos && close != std::string::npos && open < close)
      module_inputs = split_names(std::string_view(m).substr(open + 1, close - open - 1));
    if (arrow != std::string::npos)
      n_outputs =
          std::max<std::size_t>(1, split_names(std::string_view(m).substr(arrow + 2)).size());
  }
  LabelledWords demo_counts;
  std::string first_label;
  count_task_demos(input(p, "task_demos"), n_outputs, demo_counts, first_label);
  std::string subject = subject_for(module_inputs);
  if (module_inputs.empty() && !first_label.empty()) subject = "the " + lowercase(first_label);

  std::vector<InstructionRule> rules = parse_rules(basic);
  for (const auto& r : parse_rules(input(p, "dataset_description"))) merge_rule(rules, r);
  for (const auto& r : demo_counts.derive(s.derivation, subject)) merge_rule(rules, r);
  std::string text = without_rules(basic);
  if (!rules.empty()) text += (text.empty() ? "" : "\n") + render_rules(rules);
  return json::object{{"proposed_instruction", text}};
}

}  // namespace

std::optional<json::object> proposer_reply(const DspyPrompt& p, const SimulationSettings& s) {
  if (p.outputs.size() != 1) return std::nullopt;
  const std::string& out = p.outputs.front().name;
  if (out == "observations" && p.has_input("examples")) return observations(p);
  if (out == "summary" && p.has_input("observations")) return summary(p, s);
  if (out == "program_description" && p.has_input("program_code"))
    return json::object{{"program_description",
                         "A one-step program: a single prediction reads the input fields and "
                         "writes the output fields."}};
  if (out == "module_description" && p.has_input("module"))
    return json::object{
        {"module_description", "The module predicts the output fields from the input fields."}};
  if (out == "proposed_instruction" && p.has_input("basic_instruction")) return proposal(p, s);
  return std::nullopt;
}

}  // namespace pipeline::mock
