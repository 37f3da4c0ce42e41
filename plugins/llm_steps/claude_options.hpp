// claude_options as pipeline_ex writes them: presets (claude_smart & co.), which options map to
// provider parameters, and which belong to Claude Code's agent (accepted with a warning).
#pragma once

#include <boost/json.hpp>

#include <string>

namespace llm_steps {

// Options of a preset (development, production, analysis, chat, test), or an empty object.
boost::json::object preset_options(const std::string& preset);
bool is_known_preset(const std::string& preset);

// The preset a step uses: its `preset`, else defaults.claude_preset, else (environment_aware)
// the workflow's environment.mode; "" when none.
std::string preset_for(const boost::json::object& input);

// The input document with the preset's options under the step's own claude_options.
boost::json::object with_preset(const boost::json::object& input);

// validate() diagnostics for claude_options shared by every Claude step type: one warning per
// agent-only option (field "claude_options.<key>"). Appends to `diags`.
void check_claude_options(const boost::json::object& step, boost::json::array& diags);

// validate(): a prompt is required (pipeline_ex's rule for every LLM step type that is not a
// batch of tasks). Appends an error to `diags` when `prompt` is absent or null.
void require_prompt(const boost::json::object& step, boost::json::array& diags);

// Helpers for diagnostics arrays.
void add_diag(boost::json::array& diags, const std::string& field, const std::string& message,
              const char* severity = "error");

}  // namespace llm_steps
