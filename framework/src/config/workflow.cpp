#include <pipeline/config/workflow.hpp>
#include <pipeline/config/yaml_json.hpp>

#include "config/step_keys.hpp"

#include <map>
#include <set>

namespace pipeline {

namespace {

const std::set<std::string> kWorkflowKeys = {
    "name",          "description",        "version",
    "steps",         "defaults",           "global_vars",
    "variables",     "checkpoint_enabled", "checkpoint_dir",
    "workspace_dir", "gemini_functions",   "environment",
    "claude_auth",   "metadata",           "inputs",
    "outputs",       "dspy_config",        "hybrid_config",
    "host"};

// Claude Code agent features: accepted so existing workflows load, but they do nothing here.
const std::map<std::string, std::string> kUnsupportedWorkflowKeys = {
    {"hooks", "Claude Code hooks run shell commands around agent tool use"},
    {"mcp_servers", "MCP servers give the Claude Code agent extra tools"},
    {"agents", "subagents are a Claude Code agent feature"}};

const std::set<std::string> kPromptPartTypes = {"static", "file", "previous_response",
                                                "session_context", "claude_continue"};

std::string scalar_or_empty(const YAML::Node& n) {
  return is_scalar(n) ? n.Scalar() : "";
}

}  // namespace

void parse_prompt(const YAML::Node& node, const std::string& file, StepConfig& step,
                  Diagnostics& diags) {
  const std::string where = "step '" + step.name + "': prompt";
  if (is_scalar(node)) {
    // pipeline_ex's own examples write prompts as plain strings though its validator wants a
    // list; accept the string as one static part, and say so once.
    step.prompt_is_string = true;
    PromptPart part{"static", {{"content", node.Scalar()}}, location_of(node, file)};
    step.prompt.push_back(std::move(part));
    diags.warning(location_of(node, file),
                  where +
                      " is a plain string; pipeline_ex expects a list of parts. Accepted as "
                      "one static part (write '- type: static' / 'content:' to silence this)");
    return;
  }
  if (!is_list(node)) {
    diags.error(location_of(node, file),
                where + ": expected a list of prompt parts, found " + yaml_kind(node));
    return;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& p = node[i];
    SourceLocation loc = location_of(p, file);
    std::string label = where + "[" + std::to_string(i) + "]";
    if (!is_map(p)) {
      diags.error(loc, label + ": expected a map with 'type', found " + yaml_kind(p));
      continue;
    }
    std::string type = scalar_or_empty(p["type"]);
    if (type.empty()) {
      diags.error(loc, label +
                           ": missing 'type' (one of: claude_continue, file, "
                           "previous_response, session_context, static)");
      continue;
    }
    if (!kPromptPartTypes.count(type)) {
      diags.error(key_location(p, "type", file),
                  label + ": unknown prompt part type '" + type +
                      "' (known: claude_continue, file, previous_response, session_context, "
                      "static)");
      continue;
    }
    auto require = [&](const char* field, const char* what) {
      if (!p[field].IsDefined() || is_null(p[field])) {
        diags.error(loc, label + " (" + type + "): missing '" + field + "' (" + what + ")");
        return false;
      }
      return true;
    };
    bool ok = true;
    if (type == "static") ok = require("content", "the text");
    if (type == "file") ok = require("path", "the file to read");
    if (ok && type == "file" && is_scalar(p["path"]) && p["path"].Scalar().empty()) {
      diags.error(key_location(p, "path", file), label + " (file): 'path' is empty");
      ok = false;
    }
    if (type == "previous_response") ok = require("step", "the step whose result to include");
    if (type == "session_context") ok = require("session_id", "the session to read");
    if (!ok) continue;
    step.prompt.push_back({type, yaml_to_object(p), loc});
  }
}

std::optional<StepConfig> parse_step(const YAML::Node& node, const std::string& file,
                                     Diagnostics& diags) {
  SourceLocation loc = location_of(node, file);
  if (!is_map(node)) {
    diags.error(loc, "step: expected a map with 'name' and 'type', found " + yaml_kind(node));
    return std::nullopt;
  }
  StepConfig step;
  step.where = loc;
  step.node = node;
  step.raw = yaml_to_object(node);
  bool ok = true;
  const YAML::Node name = node["name"];
  if (!name.IsDefined() || !is_scalar(name) || name.Scalar().empty()) {
    diags.error(loc, "step: missing 'name' (every step needs a unique name)");
    ok = false;
  } else {
    step.name = name.Scalar();
  }
  const YAML::Node type = node["type"];
  const std::string label = step.name.empty() ? "step" : "step '" + step.name + "'";
  if (!type.IsDefined() || !is_scalar(type) || type.Scalar().empty()) {
    diags.error(loc, label + ": missing 'type'");
    ok = false;
  } else {
    step.type = type.Scalar();
  }
  if (!step.type.empty()) {
    for (const auto& kv : node) {
      if (!is_scalar(kv.first)) continue;
      if (auto w = unknown_step_key(step.type, kv.first.Scalar())) {
        diags.warning(location_of(kv.first, file), label + ": " + *w);
      }
    }
  }
  if (const YAML::Node p = node["prompt"]; p.IsDefined() && !is_null(p)) {
    parse_prompt(p, file, step, diags);
  }
  if (const YAML::Node c = node["condition"]; c.IsDefined() && !is_null(c)) {
    step.condition = yaml_to_json(c);
  }
  if (const YAML::Node o = node["output_to_file"]; o.IsDefined() && !is_null(o)) {
    if (!is_scalar(o)) {
      diags.error(location_of(o, file), label + ": output_to_file: expected a file name");
    } else {
      step.output_to_file = o.Scalar();
    }
  }
  if (!ok) return std::nullopt;
  return step;
}

std::optional<Workflow> parse_workflow(const YAML::Node& root, const std::filesystem::path& path,
                                       Diagnostics& diags) {
  const std::string file = path.string();
  if (!is_map(root) || !root["workflow"].IsDefined()) {
    std::string found;
    if (is_map(root)) {
      for (const auto& kv : root) found += (found.empty() ? "" : ", ") + kv.first.Scalar();
    }
    diags.error({file, 1, 1}, "expected a top-level 'workflow:' map (pipeline_ex format); found " +
                                  (found.empty() ? yaml_kind(root) : "keys: " + found));
    return std::nullopt;
  }
  const YAML::Node w = root["workflow"];
  if (!is_map(w)) {
    diags.error(location_of(w, file), "workflow: expected a map, found " + yaml_kind(w));
    return std::nullopt;
  }
  Workflow wf;
  wf.file = path;
  wf.node = w;
  wf.raw = yaml_to_object(w);
  for (const auto& kv : root) {
    if (kv.first.Scalar() != "workflow") {
      diags.warning(location_of(kv.first, file),
                    "top-level key '" + kv.first.Scalar() + "' is outside 'workflow:'; ignored");
    }
  }
  for (const auto& kv : w) {
    const std::string key = kv.first.Scalar();
    if (auto it = kUnsupportedWorkflowKeys.find(key); it != kUnsupportedWorkflowKeys.end()) {
      diags.warning(
          location_of(kv.first, file),
          "workflow." + key + " is not supported by this host (" + it->second + "); ignored");
    } else if (!kWorkflowKeys.count(key)) {
      diags.warning(location_of(kv.first, file), "unknown workflow key '" + key + "'; ignored");
    }
  }

  if (const YAML::Node n = w["name"]; is_scalar(n) && !n.Scalar().empty()) {
    wf.name = n.Scalar();
  } else {
    diags.error(location_of(w, file), "workflow: missing 'name'");
  }
  if (const YAML::Node d = w["description"]; is_scalar(d)) wf.description = d.Scalar();
  if (const YAML::Node d = w["defaults"]; d.IsDefined() && !is_null(d)) {
    if (is_map(d)) {
      wf.defaults = yaml_to_object(d);
      if (const YAML::Node o = d["output_dir"]; is_scalar(o)) wf.output_dir = o.Scalar();
    } else {
      diags.error(location_of(d, file), "workflow.defaults: expected a map, found " + yaml_kind(d));
    }
  }
  for (const char* key : {"global_vars", "variables"}) {
    if (const YAML::Node g = w[key]; g.IsDefined() && !is_null(g)) {
      if (is_map(g)) {
        for (const auto& kv : yaml_to_object(g)) wf.global_vars[kv.key()] = kv.value();
      } else {
        diags.error(location_of(g, file),
                    std::string("workflow.") + key + ": expected a map, found " + yaml_kind(g));
      }
    }
  }
  if (const YAML::Node c = w["checkpoint_enabled"]; is_scalar(c)) {
    json::value v = yaml_to_json(c);
    if (!v.is_bool()) {
      diags.error(
          location_of(c, file),
          "workflow.checkpoint_enabled: expected true or false, found '" + c.Scalar() + "'");
    } else {
      wf.checkpoint_enabled = v.get_bool();
    }
  }
  if (const YAML::Node c = w["checkpoint_dir"]; is_scalar(c)) wf.checkpoint_dir = c.Scalar();
  if (const YAML::Node c = w["workspace_dir"]; is_scalar(c)) wf.workspace_dir = c.Scalar();
  if (const YAML::Node h = w["host"]; h.IsDefined()) wf.host_node = h;

  const YAML::Node steps = w["steps"];
  if (!steps.IsDefined() || is_null(steps)) {
    diags.error(location_of(w, file), "workflow: missing 'steps' (a list of steps)");
  } else if (!is_list(steps)) {
    diags.error(location_of(steps, file),
                "workflow.steps: expected a list, found " + yaml_kind(steps));
  } else if (steps.size() == 0) {
    diags.error(location_of(steps, file), "workflow.steps: the list is empty");
  } else {
    std::map<std::string, SourceLocation> seen;
    for (const auto& s : steps) {
      auto step = parse_step(s, file, diags);
      if (!step) continue;
      if (auto it = seen.find(step->name); it != seen.end()) {
        diags.error(step->where, "step '" + step->name + "' is defined twice (first at " +
                                     it->second.to_string() + "); step names must be unique");
        continue;
      }
      seen[step->name] = step->where;
      wf.steps.push_back(std::move(*step));
    }
  }
  return wf;
}

std::optional<Workflow> load_workflow(const std::filesystem::path& file, Diagnostics& diags) {
  auto doc = load_yaml_file(file, diags);
  if (!doc) return std::nullopt;
  return parse_workflow(*doc, file, diags);
}

}  // namespace pipeline
