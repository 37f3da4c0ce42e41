// Which steps of a traditional workflow `pipeline migrate` gives a signature, and why the others
// are left as written. The rules are docs/migration.md's "What is detected".
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>

namespace pipeline::migrate {

// A single static part at least this long (in bytes, surrounding whitespace excluded) is worth
// optimizing on its own; a shorter one without references is a fixed instruction.
constexpr std::size_t kMinStaticPromptChars = 200;

struct StepDecision {
  std::string name;
  std::string type;
  bool candidate = false;
  std::string reason;  // why it is (or is not) a candidate, one sentence
  int line = 0;        // 1-based place of the step in the file
  int column = 0;
};

// `step` is one entry of workflow.steps; `workflow` the workflow map (for gemini_functions).
StepDecision classify_step(const YAML::Node& step, const YAML::Node& workflow);

}  // namespace pipeline::migrate
