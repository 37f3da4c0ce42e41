// Checks a YAML document's structure before it is built into nodes, from the parser's events:
// aliases that refer to their own anchor (a cycle), aliases that expand to too many nodes
// ("billion laughs"), nesting deeper than limits::kMaxNestingDepth (counting what aliases
// expand to), and keys written twice in one mapping. After it passes, every recursive walk of the
// document is bounded.
//
//   if (!check_yaml_structure(text, file, diags)) return std::nullopt;
#pragma once

#include <pipeline/config/diagnostics.hpp>

#include <string>

namespace pipeline {

// False (with the problems in `diags`, each at its line:col) when the document must be refused.
// YAML syntax errors are reported too, at the place the parser stopped.
bool check_yaml_structure(const std::string& text, const std::string& file, Diagnostics& diags);

}  // namespace pipeline
