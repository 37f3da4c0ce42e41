// YAML (yaml-cpp) to JSON (Boost.JSON), and source locations of YAML nodes.
//
//   auto doc = load_yaml_file("wf.yaml", diags);  // syntax errors go to diags with line:col
//   json::value v = yaml_to_json(doc->["workflow"]);
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>

namespace pipeline {

// Type tests that are false (instead of throwing) for a missing node, such as node["absent"].
inline bool is_map(const YAML::Node& n) {
  return n.IsDefined() && n.IsMap();
}
inline bool is_list(const YAML::Node& n) {
  return n.IsDefined() && n.IsSequence();
}
inline bool is_scalar(const YAML::Node& n) {
  return n.IsDefined() && n.IsScalar();
}
inline bool is_null(const YAML::Node& n) {
  return !n.IsDefined() || n.IsNull();
}

// Plain scalars become numbers, booleans or null when they read as such (YAML 1.2 core schema);
// quoted and block scalars stay strings.
json::value yaml_to_json(const YAML::Node& node);
// A YAML map as a JSON object (empty for anything else).
json::object yaml_to_object(const YAML::Node& node);

// Reads and parses a YAML file; a missing file or a syntax error (with its line and column) goes
// to `diags` and gives nullopt.
std::optional<YAML::Node> load_yaml_file(const std::filesystem::path& file, Diagnostics& diags);
std::optional<YAML::Node> load_yaml_string(const std::string& text, const std::string& name,
                                           Diagnostics& diags);

SourceLocation location_of(const YAML::Node& node, const std::string& file);

// The location of `key` inside map `parent` (the key itself, which is where users look), or of
// the parent when the key is absent.
SourceLocation key_location(const YAML::Node& parent, const std::string& key,
                            const std::string& file);

// "map", "list", "string", "null" — for "expected a map, found a list" messages.
std::string yaml_kind(const YAML::Node& node);

}  // namespace pipeline
