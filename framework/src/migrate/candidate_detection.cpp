#include <pipeline/migrate/candidate_detection.hpp>

#include <array>
#include <string_view>

namespace pipeline::migrate {

namespace {

std::string scalar(const YAML::Node& n) {
  return n && n.IsScalar() ? n.Scalar() : std::string();
}

YAML::Node member(const YAML::Node& map, const char* key) {
  if (!map || !map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return map[key];
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

constexpr std::array<std::string_view, 4> kOptimizable = {"claude", "gemini", "claude_smart",
                                                          "claude_extract"};

// Why a prompt is worth a signature, or empty when it is a fixed instruction.
std::string why_non_trivial(const YAML::Node& prompt) {
  if (prompt.IsScalar()) {
    const std::string text = trimmed(prompt.Scalar());
    if (text.find("{{") != std::string::npos) return "its prompt references values ({{...}})";
    if (text.size() >= kMinStaticPromptChars)
      return "its static prompt has " + std::to_string(text.size()) +
             " characters (>= " + std::to_string(kMinStaticPromptChars) + ")";
    return {};
  }
  if (prompt.size() >= 2) return "its prompt has " + std::to_string(prompt.size()) + " parts";
  const YAML::Node part = prompt[0];
  const std::string type = scalar(member(part, "type"));
  if (type == "file" || type == "previous_response") return "its prompt has a " + type + " part";
  const std::string text = trimmed(scalar(member(part, "content")));
  if (text.find("{{") != std::string::npos) return "its prompt references values ({{...}})";
  if (text.size() >= kMinStaticPromptChars)
    return "its static prompt has " + std::to_string(text.size()) +
           " characters (>= " + std::to_string(kMinStaticPromptChars) + ")";
  return {};
}

}  // namespace

StepDecision classify_step(const YAML::Node& step, const YAML::Node& workflow) {
  StepDecision d;
  d.line = step.Mark().line + 1;
  d.column = step.Mark().column + 1;
  auto skip = [&](std::string why) {
    d.candidate = false;
    d.reason = std::move(why);
    return d;
  };
  if (!step.IsMap()) return skip("not a map");
  d.name = scalar(step["name"]);
  d.type = scalar(step["type"]);
  if (step.Style() == YAML::EmitterStyle::Flow)
    return skip("written as a flow map ({...}); write it in block style to migrate it");
  if (d.type == "claude_session")
    return skip(
        "a session step: its conversation carries over between runs, which a signature "
        "cannot express");
  bool optimizable = false;
  for (auto t : kOptimizable) optimizable = optimizable || d.type == t;
  if (!optimizable)
    return skip("type '" + d.type + "' is not an optimizable LLM step (claude, gemini, " +
                "claude_smart, claude_extract)");
  if (step["signature"]) return skip("already has a signature");
  if (scalar(step["execution_mode"]) == "traditional")
    return skip("execution_mode: traditional pins it to its prompt");
  if (const YAML::Node tools = step["tools"]; tools && tools.IsSequence() && tools.size() > 0)
    return skip("an agent step: `tools` gives it tools to call");
  const YAML::Node opts = step["claude_options"];
  if (const YAML::Node tools = member(opts, "allowed_tools");
      tools && tools.IsSequence() && tools.size() > 0)
    return skip("an agent step: claude_options.allowed_tools gives it tools to call");
  if (const YAML::Node turns = member(opts, "max_turns"); turns && turns.IsScalar()) {
    try {
      if (turns.as<int>() > 1)
        return skip("an agent step: claude_options.max_turns " + turns.Scalar() +
                    " lets it run a multi-turn loop");
    } catch (const YAML::Exception&) {
      // Not a number: the validator reports it; nothing here depends on it.
    }
  }
  if (const YAML::Node fns = step["functions"]; fns && fns.IsSequence()) {
    if (fns.size() > 1)
      return skip("calls one of " + std::to_string(fns.size()) +
                  " functions: choosing a tool is not one signature");
    if (fns.size() == 1 && !member(member(workflow, "gemini_functions"), fns[0].Scalar().c_str()))
      return skip("its function '" + scalar(fns[0]) + "' is not defined in gemini_functions");
  }
  const YAML::Node prompt = step["prompt"];
  if (!prompt || (!prompt.IsSequence() && !prompt.IsScalar()) ||
      (prompt.IsSequence() && prompt.size() == 0))
    return skip("has no prompt");
  if (prompt.IsSequence()) {
    for (const auto& part : prompt) {
      const std::string t = scalar(member(part, "type"));
      if (t == "session_context" || t == "claude_continue")
        return skip("its prompt has a " + t + " part (session state)");
      if (t != "static" && t != "file" && t != "previous_response")
        return skip("its prompt has a part of type '" + t + "' the migration does not translate");
    }
  }
  std::string why = why_non_trivial(prompt);
  if (why.empty())
    return skip("its prompt is one short static text without references (< " +
                std::to_string(kMinStaticPromptChars) + " characters): nothing to optimize");
  d.candidate = true;
  d.reason = why;
  return d;
}

}  // namespace pipeline::migrate
