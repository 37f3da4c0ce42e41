#include <pipeline/dspy/json_schema.hpp>

#include <gtest/gtest.h>

namespace pipeline::dspy {
namespace {

std::optional<std::string> violation(std::string_view schema, std::string_view value) {
  return json_schema_violation(parse_json(schema).value(), parse_json(value).value());
}

TEST(JsonSchema, ConformingValuesPass) {
  const char* s =
      R"({"type": "object", "required": ["name"], "properties": {"name": {"type": "string",
    "minLength": 1}, "age": {"type": "integer", "minimum": 0}}, "additionalProperties": false})";
  EXPECT_FALSE(violation(s, R"({"name": "Ada", "age": 36})"));
}

TEST(JsonSchema, ViolationsSayWhereAndWhy) {
  const char* s =
      R"({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"},
    "tags": {"type": "array", "items": {"type": "integer"}}}, "additionalProperties": false})";
  EXPECT_EQ(violation(s, R"({})"), "$: missing required property 'name'");
  EXPECT_EQ(violation(s, R"({"name": 1})"), "$.name: expected string, found integer");
  EXPECT_EQ(violation(s, R"({"name": "a", "tags": [1, "x"]})"),
            "$.tags[1]: expected integer, found string");
  EXPECT_EQ(violation(s, R"({"name": "a", "other": 1})"), "$: property 'other' is not allowed");
}

TEST(JsonSchema, EnumPatternAndCombinators) {
  EXPECT_TRUE(violation(R"({"enum": ["a", "b"]})", R"("c")"));
  EXPECT_FALSE(violation(R"({"type": "string", "pattern": "^[a-z]+$"})", R"("abc")"));
  EXPECT_TRUE(violation(R"({"type": "string", "pattern": "^[a-z]+$"})", R"("ab1")"));
  EXPECT_FALSE(violation(R"({"anyOf": [{"type": "string"}, {"type": "null"}]})", "null"));
  EXPECT_TRUE(violation(R"({"oneOf": [{"type": "number"}, {"type": "integer"}]})", "3"));
  EXPECT_FALSE(violation(R"({"type": ["string", "null"]})", "null"));
}

}  // namespace
}  // namespace pipeline::dspy
