// Text the way Python prints it. DSPy builds its prompts with str(), repr() and json.dumps();
// reproducing its messages byte for byte needs the same number, string and JSON formatting.
//
//   python_json_dumps(v)      // json.dumps(v, ensure_ascii=False)
//   python_json_dumps(v, 2)   // json.dumps(v, indent=2, ensure_ascii=False)
//   python_str(v)             // str(v) of the Python value v loads as: True, None, 0.1, 1e-05
#pragma once

#include <pipeline/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::dspy {

// repr(float): shortest round-trip digits, fixed notation for exponents in [-4, 16).
std::string python_float_repr(double d);

// json.dumps with ensure_ascii=False; indent < 0 is the one-line form (", " and ": ").
std::string python_json_dumps(const json::value& v, int indent = -1);

// str(value): strings unchanged, numbers and True/False/None as Python prints them, containers
// as repr() does (single-quoted strings).
std::string python_str(const json::value& v);

// repr(value): like python_str, but strings are quoted the way Python quotes them.
std::string python_repr(const json::value& v);

// Python's str.strip() for the whitespace that occurs in text (ASCII whitespace and \x1c-\x1f).
std::string_view python_strip(std::string_view s);

// Python's str.splitlines() for \n, \r\n and \r (the separators found in real text).
std::vector<std::string> python_splitlines(std::string_view s);

// inspect.cleandoc: drop the common indentation and the leading and trailing blank lines.
std::string python_cleandoc(std::string_view doc);

}  // namespace pipeline::dspy
