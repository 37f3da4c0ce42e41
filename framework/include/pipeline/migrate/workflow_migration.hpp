// `pipeline migrate`'s core, without files: a traditional workflow's text in, the hybrid
// workflow's text out (the original's lines untouched, new keys inserted), with a decision per
// step.
#pragma once

#include <pipeline/migrate/candidate_detection.hpp>
#include <pipeline/status.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::migrate {

struct MigrationOptions {
  bool enable_optimization = false;              // dspy_config.optimization_enabled
  std::string optimizer = "bootstrap_few_shot";  // dspy_config.evaluation_mode
};

struct MigratedStep {
  StepDecision decision;
  std::vector<std::string> notes;
};

struct MigrationResult {
  std::string text;
  std::vector<MigratedStep> steps;
  std::vector<std::string> notes;  // workflow-level: sections kept because they already exist
  std::size_t migrated_count() const;
};

// Fails (invalid_argument, naming line:col) when the text is not YAML or has no block-style
// `workflow:` map with a `steps:` sequence.
Result<MigrationResult> migrate_workflow_text(std::string_view text,
                                              const MigrationOptions& options);

}  // namespace pipeline::migrate
