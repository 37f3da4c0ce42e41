// The simulated model's answers to MIPROv2's grounded-proposer prompts (string signatures the
// optimizer renders with the ChatAdapter; plugins/optimizer_mipro_v2/grounded_proposer.cpp),
// recognised by their fields:
//   examples[, prior_observations] -> observations: one line per `Example({...})
//     (input_keys={...})` shown, its label and its content words (labelled_words.hpp);
//   observations -> summary: the examples of every batch's lines together, and the rules derived
//     from them (labelled_words.hpp's cue rule) written in the documented rule form;
//   ... -> program_description / module_description: a fixed one-line description;
//   ..., basic_instruction[, ...] -> proposed_instruction: the basic instruction without its
//     rules, then its rules merged with the rules stated in `dataset_description` and those
//     derived from the `task_demos` (label lines `Name: value`, the last line of each example the
//     output); no rule at all gives the basic instruction back (MIPRO drops a repeat).
//
//   if (auto outputs = proposer_reply(prompt, settings)) return adapter_reply(prompt, *outputs);
#pragma once

#include "dspy_prompt.hpp"
#include "simulation_settings.hpp"

#include <boost/json.hpp>

#include <optional>

namespace pipeline::mock {

std::optional<boost::json::object> proposer_reply(const DspyPrompt& prompt,
                                                  const SimulationSettings& s);

}  // namespace pipeline::mock
