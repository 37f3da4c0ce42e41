// GEPA's reflection prompt and its reply rule (gepa-ai/gepa strategies/instruction_proposal.py,
// the default InstructionProposalSignature): the current instruction in ``` fences, then the
// examples in gepa's markdown shape, each "# Example N" with "## Inputs", "## Generated Outputs"
// ("### field" + value) and "## Feedback", then the request for a new instruction in ``` blocks.
// The new instruction is the text between the first and the last ``` of the reply (a language tag
// after the opening fence dropped); a reply without a complete block is taken whole.
//
//   std::string prompt = reflection_prompt(instruction, examples);
//   std::string next = extract_instruction(reply);
#pragma once

#include <optimizer_common/text.hpp>

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::optimizer {

struct ReflectiveExample {
  boost::json::object inputs;
  boost::json::object outputs;
  std::string feedback;
};

inline std::string reflection_prompt(const std::string& instruction,
                                     const std::vector<ReflectiveExample>& examples) {
  auto section = [](const boost::json::object& o) {
    std::string s;
    for (const auto& kv : o)
      s += "### " + std::string(kv.key()) + "\n" + trim(value_text(kv.value())) + "\n\n";
    if (o.empty()) s += "\n";
    return s;
  };
  std::string side;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    if (i) side += "\n\n";
    side += "# Example " + std::to_string(i + 1) + "\n";
    side += "## Inputs\n" + section(examples[i].inputs);
    side += "## Generated Outputs\n" + section(examples[i].outputs);
    side += "## Feedback\n" + trim(examples[i].feedback) + "\n\n";
  }
  return "I provided an assistant with the following instructions to perform a task for "
         "me:\n```\n" +
         instruction +
         "\n```\n\nThe following are examples of different task inputs provided to the assistant "
         "along with the assistant's response for each of them, and some feedback on how the "
         "assistant's response could be better:\n```\n" +
         side +
         "\n```\n\nYour task is to write a new instruction for the assistant.\n\nRead the inputs "
         "carefully and identify the input format and infer detailed task description about the "
         "task I wish to solve with the assistant.\n\nRead all the assistant responses and the "
         "corresponding feedback. Identify all niche and domain specific factual information "
         "about the task and include it in the instruction, as a lot of it may not be available "
         "to the assistant in the future. The assistant may have utilized a generalizable "
         "strategy to solve the task, if so, include that in the instruction as well.\n\nProvide "
         "the new instructions within ``` blocks.";
}

inline std::string extract_instruction(std::string_view reply) {
  const std::size_t open = reply.find("```");
  const std::size_t close = reply.rfind("```");
  if (open == std::string_view::npos || open + 3 >= close || close == std::string_view::npos) {
    const std::string s = trim(reply);
    if (s.rfind("```", 0) == 0) {
      // An opening fence without a close: drop it and a language tag on its line.
      std::size_t at = 3;
      while (at < s.size() && s[at] != '\n' && s[at] != ' ' && s[at] != '\t') ++at;
      return trim(std::string_view(s).substr(at));
    }
    if (s.size() >= 3 && s.compare(s.size() - 3, 3, "```") == 0)
      return trim(s.substr(0, s.size() - 3));
    return s;
  }
  std::string_view content = reply.substr(open + 3, close - open - 3);
  // A language tag: the first line, when it holds no whitespace ("```text\n...").
  const std::size_t nl = content.find('\n');
  if (nl != std::string_view::npos &&
      content.substr(0, nl).find_first_of(" \t\r") == std::string_view::npos)
    content = content.substr(nl + 1);
  return trim(content);
}

}  // namespace pipeline::optimizer
