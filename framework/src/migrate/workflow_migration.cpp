#include <pipeline/migrate/workflow_migration.hpp>

#include <pipeline/migrate/signature_from_prompt.hpp>
#include <pipeline/migrate/yaml_text_edit.hpp>

#include <yaml-cpp/yaml.h>

namespace pipeline::migrate {

namespace {

std::string at(const YAML::Mark& m) {
  return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

// The map member's key node (for its mark), or an undefined node.
YAML::Node key_node(const YAML::Node& map, std::string_view key) {
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.first;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::vector<std::string> section_lines(const MigrationOptions& o, bool dspy, bool hybrid) {
  std::vector<std::string> out{
      "# Added by `pipeline migrate` (docs/migration.md): hybrid settings."};
  if (dspy) {
    out.insert(
        out.end(),
        {"dspy_config:",
         std::string("  optimization_enabled: ") + (o.enable_optimization ? "true" : "false"),
         "  evaluation_mode: " + o.optimizer, "  fallback_strategy: traditional"});
  }
  if (hybrid) {
    out.insert(out.end(),
               {"hybrid_config:", "  intelligent_routing: false", "  ab_testing_enabled: false",
                "  performance_threshold: 0.1", "  fallback_enabled: true"});
  }
  return out;
}

}  // namespace

std::size_t MigrationResult::migrated_count() const {
  std::size_t n = 0;
  for (const auto& s : steps) n += s.decision.candidate ? 1 : 0;
  return n;
}

Result<MigrationResult> migrate_workflow_text(std::string_view text,
                                              const MigrationOptions& options) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return invalid_argument(at(e.mark) + ": not valid YAML: " + e.msg);
  }
  const YAML::Node workflow = root.IsMap() ? root["workflow"] : YAML::Node();
  if (!workflow || !workflow.IsMap())
    return invalid_argument("1:1: expected a top-level 'workflow:' map");
  if (workflow.Style() == YAML::EmitterStyle::Flow)
    return invalid_argument(at(workflow.Mark()) +
                            ": the workflow map is written in flow style ({...}); write it in "
                            "block style to migrate it");
  const YAML::Node steps = workflow["steps"];
  const YAML::Node steps_key = key_node(workflow, "steps");
  if (!steps || !steps.IsSequence())
    return invalid_argument(at(workflow.Mark()) + ": the workflow has no `steps:` list");

  MigrationResult result;
  std::vector<TextInsertion> edits;
  const auto lines = split_lines_keeping_endings(text);
  for (const auto& step : steps) {
    MigratedStep ms{classify_step(step, workflow), {}};
    if (ms.decision.candidate) {
      const YAML::Node type_key = key_node(step, "type");
      const YAML::Node type_value = step["type"];
      const std::size_t value_line = type_value.Mark().line;
      bool alone = type_key.Mark().line == type_value.Mark().line;
      for (const auto& kv : step) {
        if (kv.first.Mark().line == static_cast<int>(value_line) && !(kv.first.Scalar() == "type"))
          alone = false;
      }
      if (!alone) {
        ms.decision.candidate = false;
        ms.decision.reason =
            "its `type:` key does not stand on a line of its own; the "
            "signature has nowhere to go without rewriting the user's lines";
      } else {
        GeneratedSignature sig = signature_from_prompt(step, workflow);
        TextInsertion ins;
        ins.before_line = value_line + 1;
        ins.indent = static_cast<std::size_t>(type_key.Mark().column);
        ins.lines.push_back("# Added by `pipeline migrate`: the prompt as a DSPy signature.");
        auto sig_lines = signature_yaml_lines(sig);
        ins.lines.insert(ins.lines.end(), sig_lines.begin(), sig_lines.end());
        edits.push_back(std::move(ins));
        ms.notes = std::move(sig.notes);
      }
    }
    result.steps.push_back(std::move(ms));
  }

  const bool add_dspy = !workflow["dspy_config"];
  const bool add_hybrid = !workflow["hybrid_config"];
  if (!add_dspy) result.notes.push_back("the workflow already has a dspy_config: kept as written");
  if (!add_hybrid)
    result.notes.push_back("the workflow already has a hybrid_config: kept as written");
  if (add_dspy || add_hybrid) {
    TextInsertion ins;
    ins.before_line = static_cast<std::size_t>(steps_key.Mark().line);
    // Comment lines right above `steps:` describe the steps: the new sections go above them.
    while (ins.before_line > 0 && ins.before_line <= lines.size() &&
           is_comment_line(lines[ins.before_line - 1]))
      --ins.before_line;
    ins.indent = static_cast<std::size_t>(steps_key.Mark().column);
    ins.lines = section_lines(options, add_dspy, add_hybrid);
    edits.push_back(std::move(ins));
  }
  result.text = apply_insertions(text, std::move(edits));
  return result;
}

}  // namespace pipeline::migrate
