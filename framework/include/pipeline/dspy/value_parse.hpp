// Turning a reply's text back into a typed field value, the way DSPy's parse_value does:
// strings stay text, other types go through a lenient JSON reading (json_repair's rules: the
// first object or array in the text, single quotes, trailing commas, True/False/None), then a
// Python-literal reading, then pydantic's lax validation for the type.
//
//   auto v = parse_field_value(json::value("[1, 2]"), list_of_int);  // [1, 2]
//   if (!v) v.status().message();  // "Input should be a valid integer ..."
#pragma once

#include <pipeline/dspy/field_type.hpp>
#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <optional>
#include <string_view>

namespace pipeline::dspy {

// json_repair.loads: the first JSON object or array in `text`, repaired; nullopt when there is
// none (json_repair's "").
std::optional<json::value> repair_json(std::string_view text);

// ast.literal_eval for the literals a reply holds (numbers, strings, True/False/None, lists,
// tuples, dicts); nullopt when `text` is not one.
std::optional<json::value> python_literal(std::string_view text);

// pydantic's lax validation of an already-decoded value against the type.
Result<json::value> validate_value(const json::value& value, const FieldType& type);

// DSPy's parse_value(value, annotation).
Result<json::value> parse_field_value(const json::value& value, const FieldType& type);

}  // namespace pipeline::dspy
