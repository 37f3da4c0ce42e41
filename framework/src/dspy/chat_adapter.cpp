#include <pipeline/dspy/chat_adapter.hpp>

#include <pipeline/dspy/python_text.hpp>
#include <pipeline/dspy/value_parse.hpp>

#include <map>

namespace pipeline::dspy {

namespace {

// Python's \w for the header name: letters, digits, underscore, and any non-ASCII letter.
bool is_word_byte(unsigned char c) {
  return std::isalnum(c) || c == '_' || c >= 0x80;
}

// field_header_pattern.match(): "[[ ## name ## ]]" at the start; the header name and the length
// of the match.
std::optional<std::pair<std::string, std::size_t>> match_header(std::string_view s) {
  constexpr std::string_view kOpen = "[[ ## ";
  constexpr std::string_view kClose = " ## ]]";
  if (s.substr(0, kOpen.size()) != kOpen) return std::nullopt;
  std::size_t i = kOpen.size();
  std::size_t start = i;
  while (i < s.size() && is_word_byte(static_cast<unsigned char>(s[i]))) ++i;
  if (i == start || s.substr(i, kClose.size()) != kClose) return std::nullopt;
  return std::pair{std::string(s.substr(start, i - start)), i + kClose.size()};
}

std::string type_info(const Field& f) {
  if (f.type.is_str()) return "";
  return " (must be formatted as a valid Python " + f.type.annotation_name() + ")";
}

}  // namespace

std::string ChatAdapter::format_field_structure(const Signature& sig) const {
  auto fields = [](const std::vector<Field>& list, bool is_output) {
    std::vector<std::pair<const Field*, std::string>> items;
    for (const auto& f : list) items.emplace_back(&f, translate_field_type(f, is_output));
    return format_fields_with_values(items);
  };
  std::string out =
      "All interactions will be structured in the following way, with the appropriate values "
      "filled in.";
  out += "\n\n" + fields(sig.inputs, false);
  out += "\n\n" + fields(sig.outputs, true);
  out += "\n\n[[ ## completed ## ]]\n";
  return std::string(python_strip(out));
}

std::string ChatAdapter::user_message_output_requirements(const Signature& sig) const {
  std::string m = "Respond with the corresponding output fields, starting with the field ";
  for (std::size_t i = 0; i < sig.outputs.size(); ++i) {
    if (i) m += ", then ";
    m += "`[[ ## " + sig.outputs[i].name + " ## ]]`" + type_info(sig.outputs[i]);
  }
  m += ", and then ending with the marker for `[[ ## completed ## ]]`.";
  return m;
}

std::string ChatAdapter::format_assistant_message_content(const Signature& sig,
                                                          const Example& outputs,
                                                          const std::string& missing) const {
  std::vector<std::pair<const Field*, std::string>> items;
  for (const auto& f : sig.outputs) {
    const auto* v = outputs.if_contains(f.name);
    items.emplace_back(&f,
                       v ? format_field_value(f, *v) : format_field_value(f, json::value(missing)));
  }
  return format_fields_with_values(items) + "\n\n[[ ## completed ## ]]\n";
}

ParseResult ChatAdapter::parse(const Signature& sig, std::string_view completion) const {
  std::vector<std::string> expected;
  for (const auto& f : sig.outputs) expected.push_back(f.name);
  if (completion.empty())
    return AdapterParseError{"ChatAdapter", std::string(completion),
                             "The LM returned an empty or null response.", expected, std::nullopt};

  // Sections in order; a header's name and the lines under it.
  std::vector<std::pair<std::optional<std::string>, std::string>> sections{{std::nullopt, ""}};
  std::vector<bool> has_line{false};
  for (const auto& line : python_splitlines(completion)) {
    std::string_view stripped = python_strip(line);
    if (auto m = match_header(stripped)) {
      // DSPy slices the unstripped line at the stripped match's end; kept for identical results.
      std::string rest =
          m->second < line.size() ? std::string(python_strip(line.substr(m->second))) : "";
      sections.emplace_back(m->first, rest);
      has_line.push_back(!rest.empty());
    } else {
      auto& body = sections.back().second;
      if (has_line.back()) body += '\n';
      body += line;
      has_line.back() = true;
    }
  }

  std::map<std::string, json::value> found;
  for (const auto& [header, body] : sections) {
    if (!header || found.count(*header)) continue;
    const Field* f = sig.output(*header);
    if (!f) continue;
    std::string text(python_strip(body));
    auto v = parse_field_value(json::value(json::string(text)), f->type);
    std::optional<std::string> problem;
    if (!v)
      problem = v.status().message();
    else
      problem = schema_problem(*f, *v);
    if (problem)
      return AdapterParseError{"ChatAdapter", std::string(completion),
                               "Failed to parse field " + f->name + " with value " + text +
                                   " from the LM response. Error message: " + *problem,
                               expected, std::nullopt};
    found.emplace(*header, std::move(*v));
  }
  json::object fields;
  std::vector<std::string> parsed;
  for (const auto& f : sig.outputs) {
    auto it = found.find(f.name);
    if (it == found.end()) continue;
    fields[f.name] = it->second;
    parsed.push_back(f.name);
  }
  if (parsed.size() != sig.outputs.size())
    return AdapterParseError{"ChatAdapter", std::string(completion), "", expected, parsed};
  return fields;
}

}  // namespace pipeline::dspy
