#include "config/step_keys.hpp"

#include "config/suggestion.hpp"

#include <map>
#include <set>
#include <vector>

namespace pipeline {

namespace {

// Keys any step may carry (pipeline_ex's common step fields and the hybrid additions).
const std::vector<std::string> kCommonKeys = {"name",
                                              "type",
                                              "role",
                                              "description",
                                              "condition",
                                              "prompt",
                                              "output_to_file",
                                              "timeout_seconds",
                                              "continue_on_error",
                                              "retry_on_error",
                                              "max_retries",
                                              "output_schema",
                                              "enabled",
                                              "metadata",
                                              "execution_mode",
                                              "signature",
                                              "adapter",
                                              "adapter_fallback",
                                              "metric",
                                              "dspy_config",
                                              "examples",
                                              "training_data",
                                              "evaluation"};

const std::vector<std::string> kClaudeKeys = {"claude_options", "model", "preset", "options",
                                              "environment_aware"};

// Keys of each pipeline_ex step type beyond the common ones (docs/config.md, "Step types").
const std::map<std::string, std::vector<std::string>>& type_keys() {
  static const std::map<std::string, std::vector<std::string>> kKeys = {
      {"claude", kClaudeKeys},
      {"claude_smart", kClaudeKeys},
      {"claude_session", {"session_config", "conversation"}},
      {"claude_extract", {"extraction_config", "schema", "format"}},
      {"claude_batch", {"tasks", "batch_config"}},
      {"claude_robust", {"retry_config"}},
      {"parallel_claude", {"parallel_tasks", "max_parallel"}},
      {"gemini", {"model", "token_budget", "functions", "gemini_options"}},
      {"gemini_instructor", {"model", "token_budget", "functions", "response_schema"}},
      {"set_variable", {"variables", "variable", "value", "scope", "streaming"}},
      {"test_echo", {"value", "fail", "error_message"}},
      {"data_transform", {"input_source", "operations", "output_field", "lazy"}},
      {"file_ops",
       {"operation", "source", "destination", "path", "pattern", "recursive", "files", "from", "to",
        "format", "processor", "encoding", "options"}},
      {"for_loop",
       {"iterator", "data_source", "steps", "parallel", "max_parallel", "break_condition",
        "continue_condition", "break_on_error", "batch_size", "lazy"}},
      {"while_loop", {"steps", "max_iterations", "break_condition", "continue_condition"}},
      {"pipeline",
       {"pipeline_file", "pipeline", "pipeline_ref", "inputs", "outputs", "max_depth",
        "inherit_context", "config", "inherit_providers", "inherit_functions"}},
  };
  return kKeys;
}

// The LLM step types also take each other's option blocks (claude_options on a claude_session).
bool is_claude_family(const std::string& type) {
  return type.rfind("claude", 0) == 0 || type == "parallel_claude";
}

}  // namespace

std::optional<std::string> unknown_step_key(const std::string& type, const std::string& key) {
  for (const auto& k : kCommonKeys) {
    if (k == key) return std::nullopt;
  }
  const auto& table = type_keys();
  auto it = table.find(type);
  std::vector<std::string> known = kCommonKeys;
  if (it != table.end()) {
    known.insert(known.end(), it->second.begin(), it->second.end());
    if (is_claude_family(type)) known.insert(known.end(), kClaudeKeys.begin(), kClaudeKeys.end());
    for (const auto& k : known) {
      if (k == key) return std::nullopt;
    }
  }
  std::optional<std::string> near = closest_match(key, known);
  if (it == table.end() && !near) return std::nullopt;  // a third-party type's own key
  std::string msg = "unknown key '" + key + "' for a " + type + " step (ignored)";
  if (near) msg += "; did you mean '" + *near + "'?";
  return msg;
}

}  // namespace pipeline
