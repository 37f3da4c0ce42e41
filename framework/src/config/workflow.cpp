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

// What the framework reads itself; every other workflow key is a section for the steps.
const std::set<std::string, std::less<>> kFrameworkWorkflowKeys = {
    "name",      "description",        "version",        "steps",         "defaults", "global_vars",
    "variables", "checkpoint_enabled", "checkpoint_dir", "workspace_dir", "host"};

// Claude Code agent features: accepted so existing workflows load, but they do nothing here.
const std::map<std::string, std::string> kUnsupportedWorkflowKeys = {
    {"hooks", "Claude Code hooks run shell commands around agent tool use"},
    {"mcp_servers", "MCP servers give the Claude Code agent extra tools"},
    {"agents", "subagents are a Claude Code agent feature"}};

const std::set<std::string> kPromptPartTypes = {"static", "file", "previous_response",
                                                "session_context", "claude_continue"};

bool is_scalar(const json::value& v) {
  return v.is_string() || v.is_number() || v.is_bool();
}

bool absent(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v == nullptr || v->is_null();
}

// A scalar as written: YAML's `name: 12` is the name "12".
std::string scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return is_scalar(v) ? json::serialize(v) : std::string();
}

std::string kind_of(const json::value& v) {
  if (v.is_object()) return "a map";
  if (v.is_array()) return "a list";
  if (v.is_null()) return "nothing";
  return "'" + scalar_text(v) + "'";
}

}  // namespace

void parse_prompt(const json::value& node, const SourceRef& at, StepConfig& step,
                  Diagnostics& diags) {
  const std::string where = "step '" + step.name + "': prompt";
  if (is_scalar(node)) {
    // pipeline_ex's own examples write prompts as plain strings though its validator wants a
    // list; accept the string as one static part, and say so once.
    step.prompt_is_string = true;
    PromptPart part{"static", {{"content", scalar_text(node)}}, at.where()};
    step.prompt.push_back(std::move(part));
    diags.warning(at.where(),
                  where +
                      " is a plain string; pipeline_ex expects a list of parts. Accepted as "
                      "one static part (write '- type: static' / 'content:' to silence this)");
    return;
  }
  if (!node.is_array()) {
    diags.error(at.where(), where + ": expected a list of prompt parts, found " + kind_of(node));
    return;
  }
  const json::array& parts = node.get_array();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const json::value& p = parts[i];
    const SourceRef part_at = at.child(i);
    SourceLocation loc = part_at.where();
    std::string label = where + "[" + std::to_string(i) + "]";
    if (!p.is_object()) {
      diags.error(loc, label + ": expected a map with 'type', found " + kind_of(p));
      continue;
    }
    const json::object& o = p.get_object();
    std::string type = o.contains("type") ? scalar_text(o.at("type")) : std::string();
    if (type.empty()) {
      diags.error(loc, label +
                           ": missing 'type' (one of: claude_continue, file, "
                           "previous_response, session_context, static)");
      continue;
    }
    if (!kPromptPartTypes.count(type)) {
      diags.error(part_at.key_where("type"),
                  label + ": unknown prompt part type '" + type +
                      "' (known: claude_continue, file, previous_response, session_context, "
                      "static)");
      continue;
    }
    auto require = [&](const char* field, const char* what) {
      if (absent(o, field)) {
        diags.error(loc, label + " (" + type + "): missing '" + field + "' (" + what + ")");
        return false;
      }
      return true;
    };
    bool ok = true;
    if (type == "static") ok = require("content", "the text");
    if (type == "file") ok = require("path", "the file to read");
    if (ok && type == "file" && is_scalar(o.at("path")) && scalar_text(o.at("path")).empty()) {
      diags.error(part_at.key_where("path"), label + " (file): 'path' is empty");
      ok = false;
    }
    if (type == "previous_response") ok = require("step", "the step whose result to include");
    if (type == "session_context") ok = require("session_id", "the session to read");
    if (!ok) continue;
    step.prompt.push_back({type, o, loc});
  }
}

std::optional<StepConfig> parse_step(const json::value& node, const SourceRef& at,
                                     Diagnostics& diags) {
  SourceLocation loc = at.where();
  if (!node.is_object()) {
    diags.error(loc, "step: expected a map with 'name' and 'type', found " + kind_of(node));
    return std::nullopt;
  }
  const json::object& o = node.get_object();
  StepConfig step;
  step.where = loc;
  step.source = at;
  step.raw = o;
  bool ok = true;
  const json::value* name = o.if_contains("name");
  if (name == nullptr || !is_scalar(*name) || scalar_text(*name).empty()) {
    diags.error(loc, "step: missing 'name' (every step needs a unique name)");
    ok = false;
  } else {
    step.name = scalar_text(*name);
  }
  const json::value* type = o.if_contains("type");
  const std::string label = step.name.empty() ? "step" : "step '" + step.name + "'";
  if (type == nullptr || !is_scalar(*type) || scalar_text(*type).empty()) {
    diags.error(loc, label + ": missing 'type'");
    ok = false;
  } else {
    step.type = scalar_text(*type);
  }
  if (!step.type.empty()) {
    for (const auto& kv : o) {
      if (auto w = unknown_step_key(step.type, std::string(kv.key()))) {
        diags.warning(at.key_where(kv.key()), label + ": " + *w);
      }
    }
  }
  if (!absent(o, "prompt")) parse_prompt(o.at("prompt"), at.child("prompt"), step, diags);
  if (!absent(o, "condition")) step.condition = o.at("condition");
  if (!absent(o, "output_to_file")) {
    const json::value& out = o.at("output_to_file");
    if (!is_scalar(out)) {
      diags.error(at.child("output_to_file").where(),
                  label + ": output_to_file: expected a file name");
    } else {
      step.output_to_file = scalar_text(out);
    }
  }
  if (!ok) return std::nullopt;
  return step;
}

std::vector<StepConfig> parse_step_list(const json::array& list, const SourceRef& at,
                                        Diagnostics& diags) {
  std::vector<StepConfig> out;
  std::map<std::string, SourceLocation> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto step = parse_step(list[i], at.child(i), diags);
    if (!step) continue;
    if (auto it = seen.find(step->name); it != seen.end()) {
      diags.error(step->where, "step '" + step->name + "' is defined twice (first at " +
                                   it->second.to_string() + "); step names must be unique");
      continue;
    }
    seen[step->name] = step->where;
    out.push_back(std::move(*step));
  }
  return out;
}

std::optional<Workflow> parse_workflow_map(const json::value& map, const SourceRef& at,
                                           const std::filesystem::path& path, Diagnostics& diags) {
  if (!map.is_object()) {
    diags.error(at.where(), "workflow: expected a map, found " + kind_of(map));
    return std::nullopt;
  }
  const json::object& w = map.get_object();
  Workflow wf;
  wf.file = path;
  wf.source = at;
  wf.raw = w;
  for (const auto& kv : w) {
    const std::string key(kv.key());
    if (auto it = kUnsupportedWorkflowKeys.find(key); it != kUnsupportedWorkflowKeys.end()) {
      diags.warning(at.key_where(key), "workflow." + key + " is not supported by this host (" +
                                           it->second + "); ignored");
    } else if (!kWorkflowKeys.count(key)) {
      diags.warning(at.key_where(key), "unknown workflow key '" + key + "'; ignored");
    }
    if (!kFrameworkWorkflowKeys.count(key)) wf.sections[key] = kv.value();
  }

  if (const auto* n = w.if_contains("name"); n && is_scalar(*n) && !scalar_text(*n).empty()) {
    wf.name = scalar_text(*n);
  } else {
    diags.error(at.where(), "workflow: missing 'name'");
  }
  if (const auto* d = w.if_contains("description"); d && is_scalar(*d)) {
    wf.description = scalar_text(*d);
  }
  if (!absent(w, "defaults")) {
    const json::value& d = w.at("defaults");
    if (d.is_object()) {
      wf.defaults = d.get_object();
      if (const auto* o = d.get_object().if_contains("output_dir"); o && is_scalar(*o)) {
        wf.output_dir = scalar_text(*o);
      }
    } else {
      diags.error(at.child("defaults").where(),
                  "workflow.defaults: expected a map, found " + kind_of(d));
    }
  }
  for (const char* key : {"global_vars", "variables"}) {
    if (absent(w, key)) continue;
    const json::value& g = w.at(key);
    if (g.is_object()) {
      for (const auto& kv : g.get_object()) wf.global_vars[kv.key()] = kv.value();
    } else {
      diags.error(at.child(key).where(),
                  std::string("workflow.") + key + ": expected a map, found " + kind_of(g));
    }
  }
  if (const auto* c = w.if_contains("checkpoint_enabled"); c && is_scalar(*c)) {
    if (!c->is_bool()) {
      diags.error(
          at.child("checkpoint_enabled").where(),
          "workflow.checkpoint_enabled: expected true or false, found '" + scalar_text(*c) + "'");
    } else {
      wf.checkpoint_enabled = c->get_bool();
    }
  }
  if (const auto* c = w.if_contains("checkpoint_dir"); c && is_scalar(*c)) {
    wf.checkpoint_dir = scalar_text(*c);
  }
  if (const auto* c = w.if_contains("workspace_dir"); c && is_scalar(*c)) {
    wf.workspace_dir = scalar_text(*c);
  }

  const json::value* steps = w.if_contains("steps");
  const SourceRef steps_at = at.child("steps");
  if (steps == nullptr || steps->is_null()) {
    diags.error(at.where(), "workflow: missing 'steps' (a list of steps)");
  } else if (!steps->is_array()) {
    diags.error(steps_at.where(), "workflow.steps: expected a list, found " + kind_of(*steps));
  } else if (steps->get_array().empty()) {
    diags.error(steps_at.where(), "workflow.steps: the list is empty");
  } else {
    wf.steps = parse_step_list(steps->get_array(), steps_at, diags);
  }
  return wf;
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
  for (const auto& kv : root) {
    if (kv.first.Scalar() != "workflow") {
      diags.warning(location_of(kv.first, file),
                    "top-level key '" + kv.first.Scalar() + "' is outside 'workflow:'; ignored");
    }
  }
  // From here on the document is JSON; the map keeps where each part was written.
  SourceRef at = SourceRef(SourceMap::of(root, file)).child("workflow");
  json::value doc = yaml_to_json(root);
  return parse_workflow_map(doc.get_object().at("workflow"), at, path, diags);
}

std::optional<Workflow> load_workflow(const std::filesystem::path& file, Diagnostics& diags) {
  auto doc = load_yaml_file(file, diags);
  if (!doc) return std::nullopt;
  return parse_workflow(*doc, file, diags);
}

}  // namespace pipeline
