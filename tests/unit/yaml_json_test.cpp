// The YAML layer against hostile input: alias cycles and bombs, nesting past the limit, duplicate
// keys, unclosed quotes and huge scalars are refused (or read) with file:line:col, never a crash.
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/sdk/limits.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

std::string first_error(const Diagnostics& d) {
  for (const auto& i : d.items()) {
    if (i.severity == Diagnostic::Severity::kError) return i.to_string();
  }
  return "";
}

TEST(YamlHostileInput, SelfReferencingAliasIsRefusedAsACycle) {
  Diagnostics d;
  auto doc = load_yaml_string("workflow:\n  data: &a [1, *a]\n", "t.yaml", d);
  EXPECT_FALSE(doc);
  EXPECT_THAT(first_error(d), HasSubstr("t.yaml:2:"));
  EXPECT_THAT(first_error(d), HasSubstr("alias *a refers to the node that contains it"));
}

TEST(YamlHostileInput, BillionLaughsIsRefusedBeforeExpansion) {
  std::string y = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) y += (k ? ", " : "") + prev;
    y += "]\n";
  }
  Diagnostics d;
  auto doc = load_yaml_string(y, "bomb.yaml", d);
  EXPECT_FALSE(doc);
  EXPECT_THAT(first_error(d), HasSubstr("aliases expand to more than"));
}

TEST(YamlHostileInput, ModestAliasesStillWork) {
  Diagnostics d;
  auto doc = load_yaml_string("base: &b {x: 1}\nuse: *b\nmore: [*b, *b]\n", "ok.yaml", d);
  ASSERT_TRUE(doc) << d.format();
  EXPECT_EQ(json::serialize(yaml_to_json((*doc)["more"])), R"([{"x":1},{"x":1}])");
}

TEST(YamlHostileInput, NestingPastTheLimitIsRefusedWithItsPlace) {
  const int n = limits::kMaxNestingDepth + 1;
  Diagnostics d;
  auto doc =
      load_yaml_string("v: " + std::string(n, '[') + std::string(n, ']') + "\n", "deep.yaml", d);
  EXPECT_FALSE(doc);
  EXPECT_THAT(first_error(d), HasSubstr("deep.yaml:1:"));
  EXPECT_THAT(first_error(d), HasSubstr("nested more than 64 levels"));
}

TEST(YamlHostileInput, NestingAtTheLimitIsAccepted) {
  const int n = limits::kMaxNestingDepth;
  Diagnostics d;
  auto doc = load_yaml_string(std::string(n, '[') + std::string(n, ']') + "\n", "ok.yaml", d);
  EXPECT_TRUE(doc) << d.format();
}

TEST(YamlHostileInput, DeepNestingThroughAnAliasCounts) {
  const int n = 40;
  std::string deep = std::string(n, '[') + std::string(n, ']');
  Diagnostics d;
  auto doc = load_yaml_string(
      "a: &a " + deep + "\nb: " + std::string(n, '[') + "*a" + std::string(n, ']') + "\n",
      "alias_deep.yaml", d);
  EXPECT_FALSE(doc);
  EXPECT_THAT(first_error(d), HasSubstr("nested more than"));
}

TEST(YamlHostileInput, ThousandsOfOpenBracketsAreASyntaxErrorNotACrash) {
  Diagnostics d;
  auto doc = load_yaml_string(std::string(100000, '['), "brackets.yaml", d);
  EXPECT_FALSE(doc);
  EXPECT_FALSE(first_error(d).empty());
}

TEST(YamlDuplicateKeys, AreErrorsNamingBothPlaces) {
  Diagnostics d;
  auto doc = load_yaml_string("workflow:\n  name: a\n  steps: []\n  name: b\n", "dup.yaml", d);
  EXPECT_FALSE(doc);
  EXPECT_THAT(first_error(d), HasSubstr("dup.yaml:4:3: error: duplicate key 'name'"));
  EXPECT_THAT(first_error(d), HasSubstr("first at line 2:3"));
}

TEST(YamlDuplicateKeys, SameKeyInDifferentMapsIsFine) {
  Diagnostics d;
  auto doc = load_yaml_string("a: {name: 1}\nb: {name: 2}\nc: [{name: 1}, {name: 2}]\n", "ok", d);
  EXPECT_TRUE(doc) << d.format();
}

TEST(YamlSyntax, UnclosedQuoteIsReportedAtTheQuoteNotSwallowingTheFile) {
  Diagnostics d;
  auto doc = load_yaml_string(R"(workflow:
  name: t
  steps:
    - name: a
      type: claude
      prompt:
        - type: static
          content: "unclosed
    - name: b
      type: claude
)",
                              "quote.yaml", d);
  EXPECT_FALSE(doc);
  EXPECT_THAT(first_error(d), HasSubstr("quote.yaml:8:20: error: the string quoted here"));
  EXPECT_THAT(first_error(d), HasSubstr("not closed before line 9"));
}

TEST(YamlSyntax, UnclosedQuoteClosedLaterIsStillReportedAtTheQuote) {
  Diagnostics d;
  auto doc = load_yaml_string("workflow:\n  steps:\n    - prompt: \"open\n    - prompt: \"x\"\n",
                              "q.yaml", d);
  EXPECT_FALSE(doc);
  EXPECT_THAT(first_error(d), HasSubstr("q.yaml:3:15: error: the string quoted here"));
}

TEST(YamlSyntax, MultiLineQuotedStringsIndentedUnderTheirKeyAreFine) {
  Diagnostics d;
  auto doc = load_yaml_string("a:\n  b: \"one\n    two\"\n  c: 'it''s\n    ok'\n", "ok.yaml", d);
  ASSERT_TRUE(doc) << d.format();
  EXPECT_EQ((*doc)["a"]["b"].Scalar(), "one two");
}

TEST(YamlScalars, HugeNumbersAreReadWithoutARegexOrAnException) {
  Diagnostics d;
  std::string digits(50000, '7');
  auto doc = load_yaml_string("big: " + digits + "\nfloat: 1e999\nint: -42\nf: .5\nv: 1.0.0\n",
                              "n.yaml", d);
  ASSERT_TRUE(doc) << d.format();
  json::value v = yaml_to_json(*doc);
  EXPECT_EQ(v.at("big").as_string(), digits);  // too large for a double: kept as written
  EXPECT_TRUE(v.at("float").is_string());
  EXPECT_EQ(v.at("int"), json::value(-42));
  EXPECT_EQ(v.at("f"), json::value(0.5));
  EXPECT_EQ(v.at("v"), json::value("1.0.0"));
}

TEST(YamlFiles, ADeviceIsRefusedAsNotARegularFile) {
  Diagnostics d;
  auto doc = load_yaml_file("/dev/zero", d);
  EXPECT_FALSE(doc);
  EXPECT_THAT(first_error(d), HasSubstr("/dev/zero: error: not a regular file"));
}

}  // namespace
}  // namespace pipeline
