// Cases from DSPy 3.3's tests/adapters/test_adapter_utils.py (parse_value).
#include <pipeline/dspy/value_parse.hpp>

#include <gtest/gtest.h>

namespace pipeline::dspy {
namespace {

FieldType type_of(std::string_view t) {
  auto r = parse_field_type(t);
  EXPECT_TRUE(r) << r.status().message();
  return *r;
}

json::value parsed(const json::value& v, std::string_view t) {
  auto r = parse_field_value(v, type_of(t));
  EXPECT_TRUE(r) << r.status().message();
  return r ? *r : json::value();
}

TEST(ValueParse, StrAnnotationStringifiesLikePython) {
  EXPECT_EQ(parsed(json::value(123), "str"), "123");
  EXPECT_EQ(parsed(json::value(true), "str"), "True");
  EXPECT_EQ(parsed(json::value("hello"), "str"), "hello");
  EXPECT_EQ(parsed(json::value(nullptr), "str"), "None");
  EXPECT_EQ(parsed(parse_json("[1, 2, 3]").value(), "str"), "[1, 2, 3]");
}

TEST(ValueParse, BasicTypes) {
  EXPECT_EQ(parsed(json::value("42"), "int"), 42);
  EXPECT_EQ(parsed(json::value(42), "int"), 42);
  EXPECT_EQ(parsed(json::value("3.14"), "float"), 3.14);
  EXPECT_EQ(parsed(json::value(3.14), "float"), 3.14);
  EXPECT_EQ(parsed(json::value("true"), "bool"), true);
  EXPECT_EQ(parsed(json::value(true), "bool"), true);
  EXPECT_EQ(parsed(json::value("false"), "bool"), false);
  EXPECT_EQ(serialize(parsed(json::value("[1, 2, 3]"), "list[int]")), "[1,2,3]");
  EXPECT_EQ(serialize(parsed(parse_json("[1, 2, 3]").value(), "list[int]")), "[1,2,3]");
  EXPECT_EQ(parsed(json::value("1_000.5"), "float"), 1000.5);
}

TEST(ValueParse, LiteralAcceptsQuotesAndWrappers) {
  const char* t = "Literal['option1', 'option2']";
  EXPECT_EQ(parsed(json::value("option1"), t), "option1");
  EXPECT_EQ(parsed(json::value("option2"), t), "option2");
  EXPECT_EQ(parsed(json::value("'option1'"), t), "option1");
  EXPECT_EQ(parsed(json::value("\"option1\""), t), "option1");
  EXPECT_EQ(parsed(json::value("Literal[option1]"), t), "option1");
  EXPECT_EQ(parsed(json::value("str[option1]"), t), "option1");
  auto bad = parse_field_value(json::value("invalid"), type_of(t));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().message(), "'invalid' is not one of ('option1', 'option2')");
}

TEST(ValueParse, JsonRepairAndLiteralEvalFallbacks) {
  EXPECT_EQ(serialize(parsed(json::value(R"({"key": "value"})"), "dict")), R"({"key":"value"})");
  EXPECT_EQ(serialize(parsed(json::value("{'key': 'value'}"), "dict")), R"({"key":"value"})");
  EXPECT_FALSE(parse_field_value(json::value("not json or literal"), type_of("dict")));
}

TEST(ValueParse, WrongTypesAreErrors) {
  EXPECT_FALSE(parse_field_value(json::value("abc"), type_of("int")));
  EXPECT_FALSE(parse_field_value(json::value("4.5"), type_of("int")));
  EXPECT_FALSE(parse_field_value(json::value("maybe"), type_of("bool")));
  EXPECT_FALSE(parse_field_value(json::value("[1, \"x\"]"), type_of("list[int]")));
}

TEST(ValueParse, RepairClosesUnfinishedJson) {
  auto v = repair_json("prefix {\"a\": [1, 2");
  ASSERT_TRUE(v);
  EXPECT_EQ(serialize(*v), R"({"a":[1,2]})");
  EXPECT_FALSE(repair_json("no json here"));
}

}  // namespace
}  // namespace pipeline::dspy
