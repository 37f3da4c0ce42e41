// The keys each pipeline_ex step type reads, so a misspelled key (`condtion:`, `promt:`) is a
// warning with a suggestion instead of being ignored in silence.
//
//   if (auto w = unknown_step_key("claude", "promt")) diags.warning(loc, *w);
#pragma once

#include <optional>
#include <string>

namespace pipeline {

// nullopt when `key` is known for `type`. For a step type this host does not know the keys of
// (a third-party plugin), only near-misses of the keys every step has are reported.
std::optional<std::string> unknown_step_key(const std::string& type, const std::string& key);

}  // namespace pipeline
