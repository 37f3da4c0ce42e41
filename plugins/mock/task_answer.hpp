// How the simulated model answers a task prompt (a DSPy signature of the user's, not one of the
// optimizers' own): the decision field (the first output field not named `reasoning`) gets
//   1. the label of the first instruction rule with a phrase in the inputs (instruction_rule.hpp);
//   2. else the outputs of the demo sharing the most content words with the inputs, when it
//      shares at least `min_overlap` (ties: the earlier demo);
//   3. else a Literal value named in the inputs as whole words (the first in the type's order);
//   4. else the fallback: `simulate.fallback`, else the most common value among the demos (ties:
//      the first seen), else the Literal's first value, else `unknown`.
// Then, with probability `noise` (a draw from the hash of the seed and the prompt, so one prompt
// always gets one answer), the value is swapped for another: one of the Literal's other values,
// else of the other labels the prompt shows (demos, rules). Other output fields come from the
// copied demo, else a value of their type; `reasoning` says which step answered.
//
//   TaskAnswer a = answer_task(prompt, settings, prompt_hash);
#pragma once

#include "dspy_prompt.hpp"
#include "simulation_settings.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>

namespace pipeline::mock {

struct TaskAnswer {
  boost::json::object outputs;
  std::string
      source;  // "rule 2 (\"refund\")", "demo 3 (4 shared words)", "label named", "fallback"
  bool noisy = false;
};

TaskAnswer answer_task(const DspyPrompt& prompt, const SimulationSettings& s, uint64_t prompt_hash);

// The field a task's answer is decided for.
const PromptField& decision_field(const DspyPrompt& prompt);

}  // namespace pipeline::mock
