// A pipeline_ex workflow as typed structs, loaded from YAML with every problem reported at once.
// Once loaded it is plain JSON plus a SourceMap for diagnostics: no YAML node lives on into the
// run, so sub-steps, inline pipelines and step lists a plugin sends are parsed by the same JSON
// functions, from any thread, without a lock.
//
//   Diagnostics d;
//   auto wf = load_workflow("examples/hello.yaml", d);  // nullopt when it cannot be used at all
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/source_map.hpp>
#include <pipeline/json.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pipeline {

// One part of a step's prompt: static, file, previous_response, session_context, claude_continue.
struct PromptPart {
  std::string type;
  json::object fields;  // the part as written (content, path, step, extract, ...)
  SourceLocation where;
};

struct StepConfig {
  std::string name;
  std::string type;
  json::object raw;                // the whole step as written, for its plugin
  std::vector<PromptPart> prompt;  // empty when the step has no prompt
  bool prompt_is_string = false;   // written as `prompt: "text"` (shorthand for one static part)
  std::optional<json::value> condition;
  std::string output_to_file;
  SourceLocation where;
  SourceRef source;  // where the step's fields were written, for later diagnostics
};

struct Workflow {
  std::filesystem::path file;
  std::string name;
  std::string description;
  std::vector<StepConfig> steps;
  json::object defaults;
  json::object global_vars;
  bool checkpoint_enabled = false;
  std::string checkpoint_dir = "./checkpoints";
  std::string workspace_dir = "./workspace";
  std::string output_dir = "./outputs";  // defaults.output_dir
  json::object raw;                      // the whole `workflow:` map
  // The workflow's own sections that the framework does not interpret (gemini_functions,
  // environment, ...): handed to every step as input.workflow.sections (docs/abi.md).
  json::object sections;
  SourceRef source;  // where the `workflow:` map was written
};

std::optional<Workflow> load_workflow(const std::filesystem::path& file, Diagnostics& diags);
// A document's root, holding the `workflow:` map.
std::optional<Workflow> parse_workflow(const YAML::Node& root, const std::filesystem::path& file,
                                       Diagnostics& diags);
// The `workflow:` map itself as JSON (an inline nested pipeline); `at` locates it.
std::optional<Workflow> parse_workflow_map(const json::value& map, const SourceRef& at,
                                           const std::filesystem::path& file, Diagnostics& diags);
// Parses a `prompt:` (list of parts, or a plain string as one static part) into step.prompt.
void parse_prompt(const json::value& prompt, const SourceRef& at, StepConfig& step,
                  Diagnostics& diags);
// Parses one step map (also used for steps nested in loops and parallel tasks).
std::optional<StepConfig> parse_step(const json::value& step, const SourceRef& at,
                                     Diagnostics& diags);
// A list of steps whose names are unique within it: a workflow's steps, a loop body, a list a
// plugin sends. Invalid steps are reported and left out.
std::vector<StepConfig> parse_step_list(const json::array& list, const SourceRef& at,
                                        Diagnostics& diags);

}  // namespace pipeline
