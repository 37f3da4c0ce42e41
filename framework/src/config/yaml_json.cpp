#include <pipeline/config/yaml_json.hpp>
#include <pipeline/sdk/file_reader.hpp>

#include "config/yaml_structure_check.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <limits>

namespace pipeline {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// [-+]?[0-9]+
bool is_yaml_int(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!is_digit(s[i])) return false;
  }
  return true;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?  -- a plain scan, linear and stackless.
bool is_yaml_float(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

json::value plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  // YAML 1.2 core schema numbers only; "1.0.0" or "08:00" stay strings.
  if (is_yaml_int(s)) {
    int64_t v = 0;
    const char* b = s.data() + (s[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(b, s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
  }
  if (is_yaml_float(s)) {
    // strtod, not stod: a number too large for a double becomes inf instead of throwing.
    errno = 0;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size() && errno != ERANGE) return d;
    return json::string(s);  // out of range: kept as written rather than changed
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
  // Refuses alias cycles, alias bombs, excessive nesting and duplicate keys before yaml-cpp
  // builds a tree that recursive walks could not survive.
  if (!check_yaml_structure(text, name, diags)) return std::nullopt;
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
  FileContent content = read_input_file(file);
  if (!content) {
    diags.error({file.string(), 0, 0}, content.reason);
    return std::nullopt;
  }
  return load_yaml_string(content.data, file.string(), diags);
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
