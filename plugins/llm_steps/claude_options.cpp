#include "claude_options.hpp"

#include "llm_request.hpp"

#include <map>
#include <set>

namespace json = boost::json;

namespace llm_steps {

namespace {

// pipeline_ex's OptionBuilder presets, reduced to what a completion request can carry.
const std::map<std::string, json::object>& presets() {
  static const std::map<std::string, json::object> kPresets = {
      {"development", {{"model", "sonnet"}, {"max_turns", 20}, {"timeout_ms", 300000}}},
      {"production",
       {{"model", "opus"},
        {"fallback_model", "sonnet"},
        {"max_turns", 10},
        {"timeout_ms", 120000}}},
      {"analysis",
       {{"model", "opus"}, {"max_turns", 5}, {"timeout_ms", 180000}, {"temperature", 0.2}}},
      {"chat", {{"model", "sonnet"}, {"max_turns", 1}, {"timeout_ms", 30000}}},
      {"test", {{"model", "sonnet"}, {"max_turns", 1}, {"timeout_ms", 10000}}},
  };
  return kPresets;
}

// Claude Code agent features: nothing in a completion request corresponds to them.
const std::map<std::string, std::string> kAgentOnly = {
    {"allowed_tools", "tool use is a Claude Code agent feature"},
    {"disallowed_tools", "tool use is a Claude Code agent feature"},
    {"cwd", "the agent's working folder has no meaning for a completion"},
    {"mcp_servers", "MCP servers give the Claude Code agent extra tools"},
    {"hooks", "hooks run shell commands around agent tool use"},
    {"agents", "subagents are a Claude Code agent feature"},
    {"permission_mode", "permissions apply to agent tool use"},
    {"permission_prompt_tool", "permissions apply to agent tool use"},
    {"add_dir", "extra folders are for agent tool use"},
    {"settings", "Claude Code settings files are not read"}};

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

bool is_known_preset(const std::string& preset) {
  return presets().count(preset) > 0;
}

json::object preset_options(const std::string& preset) {
  auto it = presets().find(preset);
  return it == presets().end() ? json::object() : it->second;
}

std::string preset_for(const json::object& input) {
  const json::object* step = nullptr;
  if (auto* s = input.if_contains("step"); s && s->is_object()) step = &s->get_object();
  if (step) {
    if (auto p = str(*step, "preset"); !p.empty()) return p;
  }
  if (auto* d = input.if_contains("defaults"); d && d->is_object()) {
    if (auto p = str(d->get_object(), "claude_preset"); !p.empty()) return p;
  }
  bool aware = false;
  if (step) {
    if (auto* a = step->if_contains("environment_aware"); a && a->is_bool()) aware = a->get_bool();
  }
  if (aware) {
    // The workflow's own `environment:` section reaches steps as input.workflow.sections.
    const json::value* e = nullptr;
    if (auto* w = input.if_contains("workflow"); w && w->is_object()) {
      if (auto* secs = w->get_object().if_contains("sections"); secs && secs->is_object()) {
        e = secs->get_object().if_contains("environment");
      }
    }
    if (e != nullptr && e->is_object()) {
      auto mode = str(e->get_object(), "mode");
      if (is_known_preset(mode)) return mode;
    }
  }
  return {};
}

json::object with_preset(const json::object& input) {
  json::object out = input;
  std::string preset = preset_for(input);
  if (preset.empty()) return out;
  json::object opts = preset_options(preset);
  json::object& step = out["step"].as_object();
  if (auto* own = step.if_contains("claude_options"); own && own->is_object()) {
    for (const auto& kv : own->get_object()) opts[kv.key()] = kv.value();
  }
  step["claude_options"] = std::move(opts);
  return out;
}

void add_diag(json::array& diags, const std::string& field, const std::string& message,
              const char* severity) {
  diags.push_back(json::object{{"field", field}, {"message", message}, {"severity", severity}});
}

void check_claude_options(const json::object& step, json::array& diags) {
  if (auto p = str(step, "preset"); !p.empty() && !is_known_preset(p)) {
    add_diag(diags, "preset",
             "unknown preset '" + p + "' (development, production, analysis, chat, test)");
  }
  auto* opts = step.if_contains("claude_options");
  if (opts == nullptr) return;
  if (!opts->is_object()) {
    add_diag(diags, "claude_options", "claude_options must be a map");
    return;
  }
  for (const auto& kv : opts->get_object()) {
    auto it = kAgentOnly.find(std::string(kv.key()));
    if (it == kAgentOnly.end()) continue;
    add_diag(diags, "claude_options." + std::string(kv.key()),
             "claude_options." + std::string(kv.key()) + " is not supported (" + it->second +
                 "); ignored",
             "warning");
  }
}

void require_prompt(const json::object& step, json::array& diags) {
  const json::value* t = step.if_contains("type");
  const std::string type = t && t->is_string() ? std::string(t->get_string()) : "LLM";
  const json::value* p = step.if_contains("prompt");
  if (p == nullptr || p->is_null()) {
    add_diag(diags, "prompt",
             "missing required 'prompt' (a " + type +
                 " step sends a prompt; add: prompt: [{type: static, content: \"...\"}])");
  }
}

}  // namespace llm_steps
