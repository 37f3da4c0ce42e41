#include <pipeline/config/yaml_json.hpp>

#include <charconv>
#include <fstream>
#include <regex>
#include <sstream>

namespace pipeline {

namespace {

json::value plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  // YAML 1.2 core schema numbers only; "1.0.0" or "08:00" stay strings.
  static const std::regex kInt(R"([-+]?[0-9]+)");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, kInt)) {
    int64_t v = 0;
    const char* b = s.data() + (s[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(b, s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
  }
  if (std::regex_match(s, kFloat)) {
    try {
      return std::stod(s);
    } catch (...) {
    }
  }
  if (s == ".inf" || s == ".Inf") return std::numeric_limits<double>::infinity();
  return json::string(s);
}

}  // namespace

json::value yaml_to_json(const YAML::Node& node) {
  if (!node.IsDefined()) return nullptr;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      if (node.Tag() == "?") return plain_scalar(node.Scalar());
      return json::string(node.Scalar());
    case YAML::NodeType::Sequence: {
      json::array a;
      a.reserve(node.size());
      for (const auto& e : node) a.push_back(yaml_to_json(e));
      return a;
    }
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : node) o[kv.first.Scalar()] = yaml_to_json(kv.second);
      return o;
    }
  }
  return nullptr;
}

json::object yaml_to_object(const YAML::Node& node) {
  json::value v = yaml_to_json(node);
  if (auto* o = v.if_object()) return std::move(*o);
  return {};
}

std::optional<YAML::Node> load_yaml_string(const std::string& text, const std::string& name,
                                           Diagnostics& diags) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    diags.error({name, e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg);
  } catch (const YAML::Exception& e) {
    diags.error({name, 0, 0}, "YAML: " + e.msg);
  }
  return std::nullopt;
}

std::optional<YAML::Node> load_yaml_file(const std::filesystem::path& file, Diagnostics& diags) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    diags.error({file.string(), 0, 0}, "cannot open file");
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_yaml_string(ss.str(), file.string(), diags);
}

SourceLocation location_of(const YAML::Node& node, const std::string& file) {
  if (!node.IsDefined()) return {file, 0, 0};
  YAML::Mark m = node.Mark();
  if (m.line < 0) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

SourceLocation key_location(const YAML::Node& parent, const std::string& key,
                            const std::string& file) {
  if (is_map(parent)) {
    for (const auto& kv : parent) {
      if (kv.first.Scalar() == key) return location_of(kv.first, file);
    }
  }
  return location_of(parent, file);
}

std::string yaml_kind(const YAML::Node& node) {
  if (!node.IsDefined()) return "nothing";
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "nothing";
  }
}

}  // namespace pipeline
