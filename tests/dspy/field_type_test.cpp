#include <pipeline/dspy/field_type.hpp>
#include <pipeline/dspy/python_text.hpp>

#include <gtest/gtest.h>

namespace pipeline::dspy {
namespace {

std::string name_of(std::string_view text) {
  auto t = parse_field_type(text);
  EXPECT_TRUE(t) << t.status().message();
  return t ? t->annotation_name() : "";
}

TEST(FieldType, DspySpellingsAndOursGiveDspyTypeHints) {
  EXPECT_EQ(name_of("str"), "str");
  EXPECT_EQ(name_of("string"), "str");
  EXPECT_EQ(name_of("integer"), "int");
  EXPECT_EQ(name_of("number"), "float");
  EXPECT_EQ(name_of("boolean"), "bool");
  EXPECT_EQ(name_of("list[str]"), "list[str]");
  EXPECT_EQ(name_of("List[int]"), "list[int]");
  EXPECT_EQ(name_of("dict[str, int]"), "dict[str, int]");
  EXPECT_EQ(name_of("object"), "dict");
  EXPECT_EQ(name_of("list"), "list");
}

TEST(FieldType, LiteralsAreQuotedTheWayDspyQuotesThem) {
  // From DSPy's test_chat_adapter_quotes_literals_as_expected.
  EXPECT_EQ(name_of(R"(Literal["one", "two", 'three"'])"), R"(Literal['one', 'two', 'three"'])");
  EXPECT_EQ(name_of(R"(Literal["she's here", "okay", "test"])"),
            R"(Literal["she's here", 'okay', 'test'])");
  EXPECT_EQ(name_of(R"(Literal["both\"and'", "another"])"), R"(Literal['both"and\'', 'another'])");
  EXPECT_EQ(name_of("Literal[1, 'bar']"), "Literal[1, 'bar']");
  EXPECT_EQ(name_of("Literal[True, 3, 'foo']"), "Literal[True, 3, 'foo']");
}

TEST(FieldType, JsonSchemaPutsTypeFirst) {
  auto t = parse_field_type("list[str]");
  EXPECT_EQ(python_json_dumps(t->json_schema()),
            R"({"type": "array", "items": {"type": "string"}})");
  auto d = parse_field_type("dict[str, int]");
  EXPECT_EQ(python_json_dumps(d->json_schema()),
            R"({"type": "object", "additionalProperties": {"type": "integer"}})");
  auto nested = parse_field_type("list[Literal['a', 'b']]");
  EXPECT_EQ(python_json_dumps(nested->json_schema()),
            R"({"type": "array", "items": {"type": "string", "enum": ["a", "b"]}})");
}

TEST(FieldType, UnknownAndMalformedTypesAreErrors) {
  auto t = parse_field_type("strng");
  ASSERT_FALSE(t);
  EXPECT_NE(t.status().message().find("unknown type 'strng'"), std::string::npos);
  EXPECT_FALSE(parse_field_type("list[str"));
  EXPECT_FALSE(parse_field_type("dict[int, str]"));
  EXPECT_FALSE(parse_field_type("Literal"));
  EXPECT_FALSE(parse_field_type("enum"));
}

}  // namespace
}  // namespace pipeline::dspy
