// The simulated model's answer to GEPA's reflection prompt (raw messages in gepa's default
// instruction-proposal template; plugins/optimizer_gepa/reflection_prompt.hpp): it reads the
// current instruction and the examples (inputs, generated outputs, feedback) and writes, in one
// ``` block, the instruction without its rules followed by its rules, amended so:
//   - an example's label is the `expected 'X'` of its feedback, or its generated output when the
//     feedback is empty (it was right); other feedback teaches nothing;
//   - for each failing example with expected X (in order), its first `reflection_words` cue words
//     are added to X's rule (a new rule when X has none): content words of 4 or more characters
//     that no rule lists yet and that no shown example of another label contains, longest first
//     (ties: first in the text);
//   - every phrase of another label's rule found in that example is dropped (it misled the
//     model; a rule left without phrases goes).
// Nothing learnt gives the instruction back unchanged (GEPA makes no child of it).
//
//   if (auto text = reflection_reply(last_user_message, settings)) return *text;
#pragma once

#include "simulation_settings.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pipeline::mock {

inline constexpr std::string_view kReflectionOpening =
    "I provided an assistant with the following instructions to perform a task for me:";

std::optional<std::string> reflection_reply(std::string_view prompt, const SimulationSettings& s);

}  // namespace pipeline::mock
