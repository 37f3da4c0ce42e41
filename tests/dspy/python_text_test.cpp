#include <pipeline/dspy/python_text.hpp>

#include <gtest/gtest.h>

namespace pipeline::dspy {
namespace {

TEST(PythonText, FloatReprMatchesPython) {
  EXPECT_EQ(python_float_repr(0.1), "0.1");
  EXPECT_EQ(python_float_repr(1.0), "1.0");
  EXPECT_EQ(python_float_repr(0.9), "0.9");
  EXPECT_EQ(python_float_repr(123.456), "123.456");
  EXPECT_EQ(python_float_repr(1e-5), "1e-05");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(python_float_repr(-2.5), "-2.5");
  EXPECT_EQ(python_float_repr(1.5e300), "1.5e+300");
}

TEST(PythonText, JsonDumpsUsesPythonSeparatorsAndKeepsUnicode) {
  auto v = parse_json(R"({"a": [1, 2.0, "é\n"], "b": {}, "c": [], "d": null, "e": true})");
  ASSERT_TRUE(v);
  EXPECT_EQ(python_json_dumps(*v),
            R"({"a": [1, 2.0, "é\n"], "b": {}, "c": [], "d": null, "e": true})");
  EXPECT_EQ(python_json_dumps(*v, 2),
            "{\n  \"a\": [\n    1,\n    2.0,\n    \"é\\n\"\n  ],\n  \"b\": {},\n  \"c\": [],\n"
            "  \"d\": null,\n  \"e\": true\n}");
  EXPECT_EQ(python_json_dumps(json::value("\x01")), "\"\\u0001\"");
}

TEST(PythonText, StrAndReprOfValues) {
  EXPECT_EQ(python_str(json::value(true)), "True");
  EXPECT_EQ(python_str(json::value(nullptr)), "None");
  EXPECT_EQ(python_str(json::value("plain")), "plain");
  auto v = parse_json(R"([1, 2, 3])");
  EXPECT_EQ(python_str(*v), "[1, 2, 3]");
  auto d = parse_json(R"({"k": "it's"})");
  EXPECT_EQ(python_repr(*d), "{'k': \"it's\"}");
}

TEST(PythonText, CleandocDropsCommonIndentAndBlankEdges) {
  EXPECT_EQ(python_cleandoc("\n    Answer the question.\n    Be brief.\n  "),
            "Answer the question.\nBe brief.");
  EXPECT_EQ(python_cleandoc("First\n    second\n      third"), "First\nsecond\n  third");
}

TEST(PythonText, StripAndSplitlines) {
  EXPECT_EQ(python_strip("  \n x \t"), "x");
  auto lines = python_splitlines("a\r\nb\rc\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2], "c");
}

}  // namespace
}  // namespace pipeline::dspy
