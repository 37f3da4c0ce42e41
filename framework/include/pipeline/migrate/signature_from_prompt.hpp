// The DSPy signature `pipeline migrate` writes for a step, derived from its prompt: each `{{...}}`
// reference and each previous_response part becomes an input whose `template` renders what the
// prompt put there, a file part an input named after the file, the static text the instructions;
// outputs come from claude_extract's extraction_config, the one gemini function's parameters, or
// a default `answer`.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace pipeline::migrate {

struct GeneratedField {
  std::string name;
  std::string type = "str";
  std::string description;
  std::string value_template;  // inputs only; empty: the value is inputs.<name>
};

struct GeneratedSignature {
  std::string instructions;
  std::vector<GeneratedField> inputs;
  std::vector<GeneratedField> outputs;
  std::vector<std::string> notes;  // what the user should know (an input with no template)
};

GeneratedSignature signature_from_prompt(const YAML::Node& step, const YAML::Node& workflow);

// The `signature:` block as YAML lines without indentation or line endings; strings are written
// double-quoted (JSON escapes are valid YAML), so any text round-trips.
std::vector<std::string> signature_yaml_lines(const GeneratedSignature& sig);

}  // namespace pipeline::migrate
