#include "dspy_prompt.hpp"

#include "text_words.hpp"

#include <pipeline/sdk/json_parse.hpp>

namespace json = boost::json;

namespace pipeline::mock {

namespace {

constexpr std::string_view kInputsHead = "Your input fields are:\n";
constexpr std::string_view kOutputsHead = "Your output fields are:\n";
constexpr std::string_view kStructure = "All interactions will be structured";
constexpr std::string_view kObjective = "In adhering to this structure, your objective is: ";
constexpr std::string_view kJsonOutputs =
    "Outputs will be a JSON object with the following fields.";

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= s.size()) {
    std::size_t nl = s.find('\n', at);
    if (nl == std::string_view::npos) nl = s.size();
    std::string line(s.substr(at, nl - at));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(std::move(line));
    at = nl + 1;
  }
  return out;
}

// Literal['a', "b", 3] -> a, b, 3.
std::vector<std::string> literal_values(const std::string& type) {
  std::vector<std::string> out;
  if (type.rfind("Literal[", 0) != 0 || type.back() != ']') return out;
  std::string_view inner = std::string_view(type).substr(8, type.size() - 9);
  std::size_t p = 0;
  while (p < inner.size()) {
    while (p < inner.size() && (inner[p] == ' ' || inner[p] == ',')) ++p;
    if (p >= inner.size()) break;
    if (inner[p] == '\'' || inner[p] == '"') {
      const char q = inner[p];
      std::size_t close = inner.find(q, p + 1);
      if (close == std::string_view::npos) close = inner.size();
      out.emplace_back(inner.substr(p + 1, close - p - 1));
      p = close + 1;
    } else {
      std::size_t comma = inner.find(',', p);
      if (comma == std::string_view::npos) comma = inner.size();
      out.push_back(trim(inner.substr(p, comma - p)));
      p = comma;
    }
  }
  return out;
}

// "1. `name` (type): description" lines of one field list.
std::vector<PromptField> field_list(std::string_view block) {
  std::vector<PromptField> out;
  for (const auto& line : split_lines(block)) {
    std::size_t dot = line.find(". `");
    if (dot == std::string::npos || dot == 0) continue;
    bool numbered = true;
    for (std::size_t i = 0; i < dot; ++i) numbered = numbered && line[i] >= '0' && line[i] <= '9';
    if (!numbered) continue;
    std::size_t name_end = line.find("` (", dot + 3);
    if (name_end == std::string::npos) continue;
    PromptField f;
    f.name = line.substr(dot + 3, name_end - dot - 3);
    std::size_t type_end = line.find("): ", name_end + 3);
    if (type_end == std::string::npos && line.size() >= 2 &&
        line.compare(line.size() - 2, 2, "):") == 0)
      type_end = line.size() - 2;
    if (type_end == std::string::npos) continue;
    f.type = line.substr(name_end + 3, type_end - name_end - 3);
    f.allowed = literal_values(f.type);
    out.push_back(std::move(f));
  }
  return out;
}

// "[[ ## name ## ]]" at the start of a stripped line.
std::optional<std::string> header_name(std::string_view line) {
  std::string s = trim(line);
  if (s.rfind("[[ ## ", 0) != 0 || s.size() < 12 || s.compare(s.size() - 6, 6, " ## ]]") != 0)
    return std::nullopt;
  std::string name = s.substr(6, s.size() - 12);
  if (name.empty() || name.find(' ') != std::string::npos) return std::nullopt;
  return name;
}

std::vector<std::pair<std::string, std::string>> sections(std::string_view content) {
  std::vector<std::pair<std::string, std::string>> out;
  bool in_section = false;
  for (const auto& line : split_lines(content)) {
    if (auto h = header_name(line)) {
      out.emplace_back(*h, "");
      in_section = true;
    } else if (in_section) {
      auto& body = out.back().second;
      body += (body.empty() ? "" : "\n") + line;
    }
  }
  for (auto& [name, body] : out) body = trim(body);
  return out;
}

std::string content_text(const json::object& m) {
  const auto* c = m.if_contains("content");
  if (!c) return {};
  if (c->is_string()) return std::string(c->get_string());
  if (c->is_array()) {  // content blocks: the text ones, joined
    std::string s;
    for (const auto& b : c->get_array())
      if (const auto* t = b.is_object() ? b.get_object().if_contains("text") : nullptr;
          t && t->is_string())
        s += std::string(t->get_string());
    return s;
  }
  return json::serialize(*c);
}

bool not_supplied(const std::string& v) {
  return v.rfind("Not supplied for this", 0) == 0;
}

json::object named_sections(std::string_view content, const std::vector<PromptField>& fields) {
  json::object out;
  for (auto& [name, body] : sections(content)) {
    bool known = false;
    for (const auto& f : fields) known = known || f.name == name;
    if (known && !out.contains(name) && !not_supplied(body)) out[name] = body;
  }
  return out;
}

// The output requirements follow the last input after a blank line; they are not input text.
void cut_requirements(std::string& body) {
  for (std::string_view marker :
       {"\n\nRespond with the corresponding output fields", "\n\nRespond with a JSON object"}) {
    if (auto at = body.rfind(marker); at != std::string::npos) body = trim(body.substr(0, at));
  }
  if (body.rfind("Respond with the corresponding output fields", 0) == 0 ||
      body.rfind("Respond with a JSON object", 0) == 0)
    body.clear();
}

}  // namespace

std::string value_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

const PromptField* DspyPrompt::output(std::string_view name) const {
  for (const auto& f : outputs)
    if (f.name == name) return &f;
  return nullptr;
}

bool DspyPrompt::has_input(std::string_view name) const {
  for (const auto& f : inputs)
    if (f.name == name) return true;
  return false;
}

std::optional<DspyPrompt> parse_dspy_prompt(const json::object& request) {
  const auto* msgs = request.if_contains("messages");
  if (!msgs || !msgs->is_array()) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> turns;  // role, content
  std::string system;
  if (const auto* s = request.if_contains("system"); s && s->is_string()) system = s->get_string();
  for (const auto& m : msgs->get_array()) {
    if (!m.is_object()) return std::nullopt;
    const auto* role = m.get_object().if_contains("role");
    if (!role || !role->is_string()) return std::nullopt;
    std::string r(role->get_string());
    if (r == "system")
      system += content_text(m.get_object());
    else
      turns.emplace_back(r, content_text(m.get_object()));
  }
  const std::size_t in_at = system.find(kInputsHead);
  const std::size_t out_at = system.find(kOutputsHead);
  const std::size_t struct_at = system.find(kStructure);
  const std::size_t obj_at = system.find(kObjective);
  if (in_at == std::string::npos || out_at == std::string::npos || struct_at == std::string::npos ||
      obj_at == std::string::npos || !(in_at < out_at && out_at < struct_at && struct_at < obj_at))
    return std::nullopt;
  if (turns.empty() || turns.back().first != "user") return std::nullopt;

  DspyPrompt p;
  p.json_adapter = system.find(kJsonOutputs) != std::string::npos;
  p.inputs = field_list(std::string_view(system).substr(in_at + kInputsHead.size(),
                                                        out_at - in_at - kInputsHead.size()));
  p.outputs = field_list(std::string_view(system).substr(out_at + kOutputsHead.size(),
                                                         struct_at - out_at - kOutputsHead.size()));
  if (p.outputs.empty()) return std::nullopt;
  std::string instructions;
  for (auto& line : split_lines(std::string_view(system).substr(obj_at + kObjective.size()))) {
    std::size_t n = 0;
    while (n < 8 && n < line.size() && line[n] == ' ') ++n;
    instructions += (instructions.empty() ? "" : "\n") + line.substr(n);
  }
  p.instructions = trim(instructions);

  for (std::size_t i = 0; i + 1 < turns.size(); ++i) {
    if (turns[i].first != "user" || turns[i + 1].first != "assistant") continue;
    PromptDemo d;
    d.inputs = named_sections(turns[i].second, p.inputs);
    if (p.json_adapter) {
      boost::system::error_code ec;
      json::value v = pipeline::sdk::parse_json(trim(turns[i + 1].second), ec);
      if (!ec && v.is_object())
        for (const auto& kv : v.get_object())
          if (p.output(kv.key()) &&
              !(kv.value().is_string() && not_supplied(std::string(kv.value().get_string()))))
            d.outputs[kv.key()] = kv.value();
    } else {
      d.outputs = named_sections(turns[i + 1].second, p.outputs);
    }
    if (!d.outputs.empty()) p.demos.push_back(std::move(d));
    ++i;
  }
  for (auto& [name, body] : sections(turns.back().second)) {
    if (!p.has_input(name) || p.values.contains(name)) continue;
    cut_requirements(body);
    p.values[name] = body;
  }
  return p;
}

}  // namespace pipeline::mock
