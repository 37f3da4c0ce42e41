// A DSPy adapter prompt read back from a chat request: what the simulated model "sees". The layout
// is the one framework/src/dspy/adapter.cpp writes (DSPy 3.3's ChatAdapter and JSONAdapter): a
// system message listing the input and output fields (`1. \`name\` (type): description`), the
// field structure, and `In adhering to this structure, your objective is: ` followed by the
// instructions indented by 8 spaces; each demo a user turn of `[[ ## field ## ]]` sections and an
// assistant turn (sections for the ChatAdapter, a JSON object for the JSONAdapter); the last user
// turn the inputs, followed by the output requirements.
//
//   if (auto p = parse_dspy_prompt(request)) use(p->instructions, p->demos, p->inputs);
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pipeline::mock {

struct PromptField {
  std::string name;
  std::string type;                  // as the prompt shows it: str, float, Literal['a', 'b'], ...
  std::vector<std::string> allowed;  // a Literal's values, in order
};

struct PromptDemo {
  boost::json::object inputs;
  boost::json::object outputs;
};

struct DspyPrompt {
  bool json_adapter = false;
  std::vector<PromptField> inputs;
  std::vector<PromptField> outputs;
  std::string instructions;
  std::vector<PromptDemo> demos;
  boost::json::object values;  // the last user turn's inputs

  const PromptField* output(std::string_view name) const;
  bool has_input(std::string_view name) const;
};

// Nothing when the request is not an adapter prompt (no system message with the field lists).
std::optional<DspyPrompt> parse_dspy_prompt(const boost::json::object& request);

// Text of a value as the model reads it: strings as they are, anything else as JSON.
std::string value_text(const boost::json::value& v);

}  // namespace pipeline::mock
