// JSON in the framework is Boost.JSON; these helpers cover what every part needs.
//
//   auto doc = pipeline::parse_json(text); if (!doc) ...; pipeline::get_path(*doc, "a.b.0")
#pragma once

#include <pipeline/status.hpp>

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace pipeline {

namespace json = boost::json;

// Parses text; the error message says where the JSON broke.
Result<json::value> parse_json(std::string_view text);

// Serializes with object keys sorted and no whitespace, so equal documents give equal bytes
// (cache keys, hashes).
std::string canonical_json(const json::value& v);

// Follows a dot path ("a.b.0.c"; numbers index arrays). nullptr when any part is missing.
const json::value* get_path(const json::value& root, std::string_view dot_path);

// The value as text: strings as they are, null as "", everything else as compact JSON.
std::string to_text(const json::value& v);

// A JSON string value's contents, or `fallback` when the member is absent or not a string.
std::string get_string(const json::object& o, std::string_view key, std::string_view fallback = {});

}  // namespace pipeline
