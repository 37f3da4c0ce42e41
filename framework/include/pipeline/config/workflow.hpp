// A pipeline_ex workflow as typed structs, loaded from YAML with every problem reported at once.
//
//   Diagnostics d;
//   auto wf = load_workflow("examples/hello.yaml", d);  // nullopt when it cannot be used at all
#pragma once

#include <pipeline/config/diagnostics.hpp>
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
  YAML::Node node;  // kept for locating fields in later diagnostics
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
  YAML::Node node;                       // the `workflow:` node
  YAML::Node host_node;                  // `workflow.host:`, overrides of the host config
};

std::optional<Workflow> load_workflow(const std::filesystem::path& file, Diagnostics& diags);
std::optional<Workflow> parse_workflow(const YAML::Node& root, const std::filesystem::path& file,
                                       Diagnostics& diags);
// Parses one step map (also used for steps nested in loops and parallel tasks).
// Parses a `prompt:` (list of parts, or a plain string as one static part) into step.prompt.
void parse_prompt(const YAML::Node& node, const std::string& file, StepConfig& step,
                  Diagnostics& diags);
std::optional<StepConfig> parse_step(const YAML::Node& node, const std::string& file,
                                     Diagnostics& diags);

}  // namespace pipeline
