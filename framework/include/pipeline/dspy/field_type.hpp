// The type of a signature field, with the text DSPy shows for it in prompts.
//
//   auto t = parse_field_type("list[str]");   // also "string", "Literal['yes', 'no']", "dict"
//   t->annotation_name();                     // "list[str]"   (the "(list[str])" in field lists)
//   t->json_schema();                         // {"type": "array", "items": {"type": "string"}}
#pragma once

#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::dspy {

struct FieldType {
  enum class Kind { kStr, kInt, kFloat, kBool, kList, kDict, kLiteral, kEnum, kAny };
  Kind kind = Kind::kStr;
  // list[T]: one argument; dict[K, V]: two; bare list / dict: none.
  std::vector<FieldType> args;
  // Literal[...] and enum: the allowed values, in order.
  std::vector<json::value> values;
  // enum: the name DSPy shows for the class (a Python Enum's __name__).
  std::string enum_name;

  static FieldType str() { return {}; }
  bool is_str() const { return kind == Kind::kStr; }

  // get_annotation_name(): "str", "list[str]", "dict[str, int]", "Literal['a', 'b']", "Label".
  std::string annotation_name() const;
  // The JSON schema pydantic gives the type, with "type" first and the other keys sorted (as
  // DSPy's _get_json_schema writes it).
  json::value json_schema() const;
  // Our own spelling for canonical JSON and hashes ("list[str]", "literal", ...).
  json::value to_json() const;

  friend bool operator==(const FieldType&, const FieldType&) = default;
};

// Parses a type written our way (string, integer, number, boolean, list, array, object, enum)
// or DSPy's way (str, int, float, bool, list[str], dict[str, int], Literal['yes', 'no'], Any).
// `enum` needs its values from elsewhere (the YAML `values:`), so it is built by the caller.
Result<FieldType> parse_field_type(std::string_view text);

// DSPy's sort of a JSON schema for prompts: "type" first, then the other keys by name, recursively.
json::value schema_type_first(const json::value& schema);

}  // namespace pipeline::dspy
