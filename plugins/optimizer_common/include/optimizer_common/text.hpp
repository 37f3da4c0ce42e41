// Text helpers the instruction optimizers share: a field value as prompt text, DSPy's
// strip_prefix (proposers answer "Proposed Instruction: ..."), and the field label DSPy shows.
//
//   std::string s = value_text(example.inputs.at("ticket"));      // strings unquoted
//   std::string i = strip_prefix("Proposed Instruction: Classify the ticket.");
#pragma once

#include <boost/json.hpp>

#include <regex>
#include <string>
#include <string_view>

namespace pipeline::optimizer {

// Strings as they are; anything else as compact JSON (a list stays readable to a model).
inline std::string value_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return boost::json::serialize(v);
}

// Newlines to spaces: one example field per line in the proposer's task_demos.
inline std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

inline std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\n' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\n' || s[e - 1] == '\t' || s[e - 1] == '\r'))
    --e;
  return std::string(s.substr(b, e - b));
}

// DSPy's dspy/propose/utils.py strip_prefix: drops a leading label of up to five words and a
// colon, then surrounding double quotes.
inline std::string strip_prefix(std::string_view text) {
  static const std::regex label(R"(^[\*\s]*(([\w'\-]+\s+){0,4}[\w'\-]+):\s*)");
  std::string s =
      std::regex_replace(std::string(text), label, "", std::regex_constants::format_first_only);
  std::size_t b = 0, e = s.size();
  while (b < e && s[b] == '"') ++b;
  while (e > b && s[e - 1] == '"') --e;
  return s.substr(b, e - b);
}

// DSPy's infer_prefix when the signature names no prefix: "ticket_text" -> "Ticket Text:".
inline std::string field_label(const boost::json::object& field) {
  if (const auto* p = field.if_contains("prefix"); p && p->is_string() && !p->get_string().empty())
    return std::string(p->get_string());
  std::string name;
  if (const auto* n = field.if_contains("name"); n && n->is_string()) name = n->get_string();
  std::string out;
  bool start = true;
  for (char c : name) {
    if (c == '_') {
      out += ' ';
      start = true;
      continue;
    }
    out += start && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    start = false;
  }
  return out + ":";
}

}  // namespace pipeline::optimizer
