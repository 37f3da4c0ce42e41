// Reading loaded config (YAML turned JSON) the way it was written: a YAML scalar such as
// `name: 12` is the text "12", and messages say "found a list" / "found 'x'" like for YAML.
//
//   if (json_is_scalar(v)) name = json_scalar_text(v);
//   diags.error(at.where(), "expected a map, found " + json_kind(v));
#pragma once

#include <pipeline/json.hpp>

#include <string>

namespace pipeline {

inline bool json_is_scalar(const json::value& v) {
  return v.is_string() || v.is_number() || v.is_bool();
}

// The scalar's text ("" for a map, a list or null).
inline std::string json_scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json_is_scalar(v) ? json::serialize(v) : std::string();
}

// "a map", "a list", "nothing" or the scalar quoted.
inline std::string json_kind(const json::value& v) {
  if (v.is_object()) return "a map";
  if (v.is_array()) return "a list";
  if (v.is_null()) return "nothing";
  return "'" + json_scalar_text(v) + "'";
}

}  // namespace pipeline
