#include <pipeline/dspy/json_adapter.hpp>

#include <pipeline/dspy/python_text.hpp>
#include <pipeline/dspy/value_parse.hpp>

namespace pipeline::dspy {

namespace {

std::string type_info(const Field& f) {
  if (f.type.is_str()) return "";
  return " (must be formatted as a valid Python " + f.type.annotation_name() + ")";
}

// The first balanced {...} in the text (DSPy's regex \{(?:[^{}]|(?R))*\}).
std::optional<std::string_view> first_balanced_object(std::string_view s) {
  for (std::size_t start = s.find('{'); start != std::string_view::npos;
       start = s.find('{', start + 1)) {
    int depth = 0;
    for (std::size_t i = start; i < s.size(); ++i) {
      if (s[i] == '{') ++depth;
      if (s[i] == '}' && --depth == 0) return s.substr(start, i - start + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string JSONAdapter::format_field_structure(const Signature& sig) const {
  std::vector<std::pair<const Field*, std::string>> inputs;
  for (const auto& f : sig.inputs) inputs.emplace_back(&f, translate_field_type(f, false));
  json::object outputs;
  for (const auto& f : sig.outputs) outputs[f.name] = translate_field_type(f, true);
  std::string out =
      "All interactions will be structured in the following way, with the appropriate values "
      "filled in.";
  out += "\n\nInputs will have the following structure:";
  out += "\n\n" + format_fields_with_values(inputs);
  out += "\n\nOutputs will be a JSON object with the following fields.";
  out += "\n\n" + python_json_dumps(outputs, 2);
  return std::string(python_strip(out));
}

std::string JSONAdapter::user_message_output_requirements(const Signature& sig) const {
  std::string m = "Respond with a JSON object in the following order of fields: ";
  for (std::size_t i = 0; i < sig.outputs.size(); ++i) {
    if (i) m += ", then ";
    m += "`" + sig.outputs[i].name + "`" + type_info(sig.outputs[i]);
  }
  return m + ".";
}

std::string JSONAdapter::format_assistant_message_content(const Signature& sig,
                                                          const Example& outputs,
                                                          const std::string& missing) const {
  json::object o;
  for (const auto& f : sig.outputs) {
    const auto* v = outputs.if_contains(f.name);
    o[f.name] = v ? *v : json::value(missing);
  }
  return python_json_dumps(o, 2);
}

ParseResult JSONAdapter::parse(const Signature& sig, std::string_view completion) const {
  std::vector<std::string> expected;
  for (const auto& f : sig.outputs) expected.push_back(f.name);
  if (completion.empty())
    return AdapterParseError{"JSONAdapter", std::string(completion),
                             "The LM returned an empty or null response.", expected, std::nullopt};
  std::string response(completion);
  auto doc = repair_json(response);
  if (!doc || !doc->is_object()) {
    if (auto obj = first_balanced_object(response)) {
      response = std::string(*obj);
      doc = repair_json(response);
    }
  }
  if (!doc || !doc->is_object())
    return AdapterParseError{"JSONAdapter", response,
                             "LM response cannot be serialized to a JSON object.", expected,
                             std::nullopt};
  const auto& obj = doc->get_object();
  json::object fields;
  std::vector<std::string> parsed;
  for (const auto& f : sig.outputs) {
    const auto* raw = obj.if_contains(f.name);
    if (!raw) continue;
    auto v = parse_field_value(*raw, f.type);
    std::optional<std::string> problem;
    if (!v)
      problem = v.status().message();
    else
      problem = schema_problem(f, *v);
    if (problem)
      return AdapterParseError{"JSONAdapter", response,
                               "Failed to parse field " + f.name + " with value " +
                                   python_str(*raw) +
                                   " from the LM response. Error message: " + *problem,
                               expected, std::nullopt};
    fields[f.name] = std::move(*v);
    parsed.push_back(f.name);
  }
  if (parsed.size() != sig.outputs.size())
    return AdapterParseError{"JSONAdapter", response, "", expected, parsed};
  return fields;
}

json::object JSONAdapter::request_options(const Signature&) const {
  json::object o;
  o["response_format"] = json::object{{"type", "json_object"}};
  return o;
}

}  // namespace pipeline::dspy
