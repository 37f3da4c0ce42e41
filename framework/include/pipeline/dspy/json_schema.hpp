// A JSON Schema check for output fields' `schema:` and the json_schema metric. Covers the
// keywords that describe data (type, properties, required, additionalProperties, items, enum,
// const, minimum/maximum, exclusiveMinimum/exclusiveMaximum, minLength/maxLength, minItems/
// maxItems, pattern (RE2), anyOf/oneOf/allOf/not); unknown keywords are ignored, as the spec says.
//
//   auto problem = json_schema_violation(schema, value);  // nullopt when value conforms
//   // "$.items[2]: expected integer, found string"
#pragma once

#include <pipeline/json.hpp>

#include <optional>
#include <string>

namespace pipeline::dspy {

std::optional<std::string> json_schema_violation(const json::value& schema,
                                                 const json::value& value);

}  // namespace pipeline::dspy
