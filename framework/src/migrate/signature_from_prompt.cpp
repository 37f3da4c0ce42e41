#include <pipeline/migrate/signature_from_prompt.hpp>

#include <pipeline/json.hpp>

#include <algorithm>
#include <filesystem>
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

// A Python identifier made from `raw` (DSPy field names are Python identifiers).
std::string identifier(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (ok)
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "input_" + out;
  return out;
}

// The field name for a reference: the last meaningful part of its path.
std::string name_for_reference(std::string_view expr) {
  for (std::string_view prefix : {"inputs.", "global_vars.", "vars.", "variables.", "state."}) {
    if (expr.rfind(prefix, 0) == 0) return identifier(expr.substr(prefix.size()));
  }
  if (expr.rfind("steps.", 0) == 0) expr.remove_prefix(6);
  return identifier(expr);
}

class FieldSet {
 public:
  // The field for this template: an existing one with the same template, else a new one.
  const GeneratedField& add(std::string name, std::string value_template, std::string description) {
    if (!value_template.empty()) {
      for (const auto& f : fields_)
        if (f.value_template == value_template) return f;
    }
    std::string unique = name;
    for (int n = 2; taken(unique); ++n) unique = name + "_" + std::to_string(n);
    fields_.push_back({unique, "str", std::move(description), std::move(value_template)});
    return fields_.back();
  }
  void reserve_names(const std::vector<GeneratedField>& others) {
    for (const auto& f : others) reserved_.push_back(f.name);
  }
  std::vector<GeneratedField> take() { return std::move(fields_); }

 private:
  bool taken(const std::string& n) const {
    auto same = [&](const auto& f) { return f.name == n; };
    return std::any_of(fields_.begin(), fields_.end(), same) ||
           std::find(reserved_.begin(), reserved_.end(), n) != reserved_.end();
  }
  std::vector<GeneratedField> fields_;
  std::vector<std::string> reserved_;
};

// Static text with each {{...}} turned into an input field; the instructions show `field`.
std::string static_part(std::string_view text, FieldSet& fields) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t open = text.find("{{", pos);
    std::size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    std::string_view written = text.substr(open, close + 2 - open);
    std::string_view expr = text.substr(open + 2, close - open - 2);
    while (!expr.empty() && std::isspace(static_cast<unsigned char>(expr.front())))
      expr.remove_prefix(1);
    while (!expr.empty() && std::isspace(static_cast<unsigned char>(expr.back())))
      expr.remove_suffix(1);
    const GeneratedField& f = fields.add(name_for_reference(expr), std::string(written),
                                         "the value of {{" + std::string(expr) + "}}");
    out.append(text.substr(pos, open - pos));
    out += "`" + f.name + "`";
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

std::string dspy_type(const YAML::Node& schema) {
  const std::string t = scalar(member(schema, "type"));
  if (t == "integer") return "int";
  if (t == "number") return "float";
  if (t == "boolean") return "bool";
  if (t == "object") return "dict";
  if (t == "array") {
    const std::string item = dspy_type(member(schema, "items"));
    return item == "str" || item == "int" || item == "float" || item == "bool"
               ? "list[" + item + "]"
               : "list";
  }
  return "str";
}

std::vector<GeneratedField> extraction_outputs(const YAML::Node& config) {
  std::vector<GeneratedField> out;
  const std::string format = scalar(member(config, "format"));
  out.push_back({"extracted",
                 format == "json" ? "dict" : "str",
                 "the content extracted as " + (format.empty() ? std::string("text") : format),
                 {}});
  const YAML::Node post = member(config, "post_processing");
  if (!post || !post.IsSequence()) return out;
  for (const auto& p : post) {
    const std::string what = scalar(p);
    if (what == "generate_summary") out.push_back({"summary", "str", "a summary", {}});
    if (what == "extract_key_points")
      out.push_back({"key_points", "list[str]", "the key points", {}});
    if (what == "extract_recommendations")
      out.push_back({"recommendations", "list[str]", "the recommendations", {}});
    if (what == "extract_code_blocks")
      out.push_back({"code_blocks", "list[str]", "the code blocks", {}});
    if (what == "extract_links") out.push_back({"links", "list[str]", "the links", {}});
  }
  return out;
}

std::vector<GeneratedField> function_outputs(const YAML::Node& function) {
  std::vector<GeneratedField> out;
  const YAML::Node props = member(member(function, "parameters"), "properties");
  if (!props || !props.IsMap()) return out;
  for (const auto& kv : props) {
    out.push_back({identifier(kv.first.Scalar()),
                   dspy_type(kv.second),
                   scalar(member(kv.second, "description")),
                   {}});
  }
  return out;
}

// LLM steps' results carry their reply as `text`, which is what the prompt builder puts in; any
// other result goes in whole.
std::string text_member(const YAML::Node& workflow, const std::string& step_name) {
  const YAML::Node steps = member(workflow, "steps");
  if (!steps || !steps.IsSequence()) return {};
  for (const auto& s : steps) {
    if (scalar(member(s, "name")) != step_name) continue;
    const std::string t = scalar(member(s, "type"));
    return t.rfind("claude", 0) == 0 || t.rfind("gemini", 0) == 0 ? ".text" : "";
  }
  return {};
}

std::string yaml_quoted(std::string_view s) {
  return json::serialize(json::value(json::string(s)));
}

}  // namespace

GeneratedSignature signature_from_prompt(const YAML::Node& step, const YAML::Node& workflow) {
  GeneratedSignature sig;
  const std::string type = scalar(member(step, "type"));
  if (type == "claude_extract") sig.outputs = extraction_outputs(member(step, "extraction_config"));
  const YAML::Node fns = member(step, "functions");
  if (fns && fns.IsSequence() && fns.size() == 1) {
    const YAML::Node fn = member(member(workflow, "gemini_functions"), scalar(fns[0]).c_str());
    sig.outputs = function_outputs(fn);
  }
  if (sig.outputs.empty()) sig.outputs.push_back({"answer", "str", {}, {}});

  FieldSet inputs;
  inputs.reserve_names(sig.outputs);
  std::vector<std::string> pieces;
  const YAML::Node prompt = member(step, "prompt");
  if (prompt && prompt.IsScalar()) pieces.push_back(static_part(prompt.Scalar(), inputs));
  if (prompt && prompt.IsSequence()) {
    for (const auto& part : prompt) {
      const std::string t = scalar(member(part, "type"));
      if (t == "static") {
        pieces.push_back(static_part(scalar(member(part, "content")), inputs));
      } else if (t == "previous_response") {
        const std::string from = scalar(member(part, "step"));
        const std::string extract = scalar(member(part, "extract"));
        // The prompt builder puts the result's text there (or the extracted field): the same path
        // through the run context.
        const std::string path =
            "steps." + from + (extract.empty() ? text_member(workflow, from) : "." + extract);
        const auto& f = inputs.add(identifier(extract.empty() ? from : from + "_" + extract),
                                   "{{" + path + "}}", "the response of step " + from);
        pieces.push_back("`" + f.name + "`");
      } else if (t == "file") {
        const std::string path = scalar(member(part, "path"));
        std::string stem = std::filesystem::path(path).stem().string();
        const auto& f = inputs.add(identifier(stem.empty() ? "file" : stem), {},
                                   "the contents of the file " + path);
        sig.notes.push_back("input '" + f.name + "' stands for the file " + path +
                            ": templates cannot read files, so an optimized run takes it from "
                            "inputs." +
                            f.name + " (a dataset row or --set)");
        pieces.push_back("`" + f.name + "`");
      }
    }
  }
  sig.inputs = inputs.take();
  for (const auto& p : pieces) {
    if (p.empty()) continue;
    if (!sig.instructions.empty() && sig.instructions.back() != '\n') sig.instructions += '\n';
    sig.instructions += p;
  }
  while (!sig.instructions.empty() &&
         std::isspace(static_cast<unsigned char>(sig.instructions.back())))
    sig.instructions.pop_back();
  return sig;
}

std::vector<std::string> signature_yaml_lines(const GeneratedSignature& sig) {
  std::vector<std::string> out{"signature:"};
  if (!sig.instructions.empty()) out.push_back("  instructions: " + yaml_quoted(sig.instructions));
  auto fields = [&](const char* key, const std::vector<GeneratedField>& list) {
    if (list.empty()) {
      out.push_back(std::string("  ") + key + ": []");
      return;
    }
    out.push_back(std::string("  ") + key + ":");
    for (const auto& f : list) {
      std::string line = "    - {name: " + yaml_quoted(f.name) + ", type: " + yaml_quoted(f.type);
      if (!f.value_template.empty()) line += ", template: " + yaml_quoted(f.value_template);
      if (!f.description.empty()) line += ", description: " + yaml_quoted(f.description);
      out.push_back(line + "}");
    }
  };
  fields("input_fields", sig.inputs);
  fields("output_fields", sig.outputs);
  return out;
}

}  // namespace pipeline::migrate
