// The expression language of conditions and interpolation.
#include <pipeline/engine/condition.hpp>
#include <pipeline/engine/expression.hpp>
#include <pipeline/engine/interpolation.hpp>
#include <pipeline/engine/run_context.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

class ExpressionTest : public ::testing::Test {
 protected:
  ExpressionTest() {
    ctx_ = RunContext(json::object{{"limit", 10}, {"name", "Ada"}},
                      json::object{{"item_count", 3}, {"multiplier", 4}});
    ctx_.set_result("review", json::object{{"text", R"({"score": 0.9, "issues": ["a", "b"]})"},
                                           {"success", true}});
    ctx_.set_result("count", json::object{{"value", 7}});
    ctx_.set_result("echo", json::value("plain"));
    ctx_.set_variable("mode", "fast");
  }
  json::value eval(const std::string& text) {
    auto e = Expression::parse(text);
    EXPECT_TRUE(e) << e.status().message();
    if (!e) return nullptr;
    auto v = e->evaluate([&](std::string_view p) { return ctx_.resolve(p); },
                         [&](std::string_view p) { unknown_.emplace_back(p); });
    EXPECT_TRUE(v) << v.status().message();
    return v ? *v : json::value(nullptr);
  }
  RunContext ctx_;
  std::vector<std::string> unknown_;
};

TEST_F(ExpressionTest, ArithmeticKeepsIntegersAndPrecedence) {
  EXPECT_EQ(eval("1 + 2 * 3"), json::value(7));
  EXPECT_EQ(eval("(1 + 2) * 3"), json::value(9));
  EXPECT_EQ(eval("7 / 2"), json::value(3.5));
  EXPECT_EQ(eval("-inputs.item_count + 1"), json::value(-2));
  EXPECT_EQ(eval("multiply(inputs.item_count, inputs.multiplier)"), json::value(12));
  EXPECT_EQ(eval("'a' + 'b'"), json::value("ab"));
}

TEST_F(ExpressionTest, PathsReachEveryScope) {
  EXPECT_EQ(eval("global_vars.limit"), json::value(10));
  EXPECT_EQ(eval("inputs.item_count"), json::value(3));
  EXPECT_EQ(eval("mode"), json::value("fast"));
  EXPECT_EQ(eval("state.mode"), json::value("fast"));
  EXPECT_EQ(eval("steps.count.value"), json::value(7));
  EXPECT_EQ(eval("count.value"), json::value(7));
  EXPECT_EQ(eval("steps.echo.result"), json::value("plain"));
}

TEST_F(ExpressionTest, ExtractLooksInsideJsonText) {
  EXPECT_EQ(eval("steps.review.score"), json::value(0.9));
  EXPECT_EQ(eval("steps.review.issues[1]"), json::value("b"));
  EXPECT_EQ(eval("previous_response:review.issues.0"), json::value("a"));
  EXPECT_EQ(eval("length(steps.review.issues)"), json::value(2));
}

TEST_F(ExpressionTest, ComparisonsAndLogic) {
  EXPECT_EQ(eval("steps.review.score > 0.8 and mode == 'fast'"), json::value(true));
  EXPECT_EQ(eval("steps.review.score > 0.95 or not (mode != 'fast')"), json::value(true));
  EXPECT_EQ(eval("global_vars.limit >= '10'"), json::value(true));
  EXPECT_EQ(eval("steps.review.issues contains 'a'"), json::value(true));
  EXPECT_EQ(eval("'b' in steps.review.issues"), json::value(true));
  EXPECT_EQ(eval("global_vars.name matches '^A.a$'"), json::value(true));
  EXPECT_EQ(eval("!steps.review.success"), json::value(false));
}

TEST_F(ExpressionTest, UnknownPathsReadAsNullAndAreReported) {
  EXPECT_EQ(eval("nothing.here"), json::value(nullptr));
  EXPECT_EQ(unknown_, std::vector<std::string>{"nothing.here"});
  unknown_.clear();
  EXPECT_EQ(eval("exists(nothing)"), json::value(false));
  EXPECT_TRUE(unknown_.empty());  // asking about absence is not an unknown variable
  EXPECT_EQ(eval("default(nothing, 5)"), json::value(5));
}

TEST_F(ExpressionTest, SyntaxErrorsNameTheColumn) {
  auto e = Expression::parse("a == (b");
  ASSERT_FALSE(e);
  EXPECT_THAT(e.status().message(), HasSubstr("column 8"));
  auto f = Expression::parse("frobnicate(1)");
  ASSERT_FALSE(f);
  EXPECT_THAT(f.status().message(), HasSubstr("unknown function 'frobnicate'"));
  auto g = Expression::parse("'open");
  ASSERT_FALSE(g);
  EXPECT_THAT(g.status().message(), HasSubstr("unterminated string"));
}

TEST_F(ExpressionTest, EvaluationErrorsAreErrorsNotCrashes) {
  auto e = Expression::parse("1 / 0");
  ASSERT_TRUE(e);
  auto v = e->evaluate([](std::string_view) { return std::nullopt; });
  ASSERT_FALSE(v);
  EXPECT_THAT(v.status().message(), HasSubstr("division by zero"));
}

TEST_F(ExpressionTest, StructuredConditions) {
  auto resolver = [&](std::string_view p) { return ctx_.resolve(p); };
  json::value c = json::parse(R"({"and": ["mode == 'fast'", {"not": "global_vars.limit > 100"}]})");
  auto r = evaluate_condition(c, resolver);
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r);
  json::value bad = json::parse(R"({"xor": []})");
  EXPECT_FALSE(check_condition(bad).ok());
}

TEST_F(ExpressionTest, InterpolationKeepsTypeForALonePlaceholder) {
  Interpolator in([&](std::string_view p) { return ctx_.resolve(p); },
                  [&](std::string_view p) { unknown_.emplace_back(p); });
  EXPECT_EQ(*in.render("{{ inputs.item_count }}"), json::value(3));
  EXPECT_EQ(*in.render("Count: {{inputs.item_count}}!"), json::value("Count: 3!"));
  EXPECT_EQ(*in.render("{{steps.review.issues}}"), json::parse(R"(["a","b"])"));
  EXPECT_EQ(*in.render("no placeholders {here}"), json::value("no placeholders {here}"));
  EXPECT_EQ(*in.render("x{{missing}}y"), json::value("xy"));
  EXPECT_EQ(unknown_, std::vector<std::string>{"missing"});
  auto doc = in.render_value(json::parse(R"({"a": "{{mode}}", "steps": ["{{mode}}"]})"), {"steps"});
  ASSERT_TRUE(doc);
  EXPECT_EQ(json::serialize(*doc), R"({"a":"fast","steps":["{{mode}}"]})");
}

TEST(CanonicalJson, SortsKeysAtEveryLevel) {
  json::value v = json::parse(R"({"b": 1, "a": {"z": [3, {"y": 1, "x": 2}], "c": null}})");
  EXPECT_EQ(canonical_json(v), R"({"a":{"c":null,"z":[3,{"x":2,"y":1}]},"b":1})");
}

// ---- Hostile input: bounded in depth and size, never a crash or a hang ----------------------

std::string parse_error(const std::string& text) {
  auto e = Expression::parse(text);
  return e ? std::string() : e.status().message();
}

TEST(ExpressionLimits, DeepParenthesesAreAnErrorNotAStackOverflow) {
  EXPECT_THAT(parse_error(std::string(5000, '(') + "1" + std::string(5000, ')')),
              HasSubstr("nested more than 256 levels"));
}

TEST(ExpressionLimits, LongChainsOfUnaryOperatorsAreAnError) {
  EXPECT_THAT(parse_error(std::string(500000, '!') + "x"), HasSubstr("bytes long"));
  EXPECT_THAT(parse_error(std::string(60000, '!') + "x"), HasSubstr("nested more than"));
  EXPECT_THAT(parse_error(std::string(60000, '-') + "1"), HasSubstr("nested more than"));
}

TEST(ExpressionLimits, LongOperatorChainsAreAnErrorAndFreedWithoutRecursion) {
  std::string sum = "1";
  for (int i = 0; i < 30000; ++i) sum += "+1";
  EXPECT_THAT(parse_error(sum), HasSubstr("nested more than"));
  std::string big = "1";
  for (int i = 0; i < 300000; ++i) big += "+1";
  EXPECT_THAT(parse_error(big), HasSubstr("bytes long"));
}

TEST(ExpressionLimits, ModestExpressionsStillParse) {
  std::string sum = "1";
  for (int i = 0; i < 200; ++i) sum += "+1";
  auto e = Expression::parse(sum);
  ASSERT_TRUE(e) << e.status().message();
  EXPECT_EQ(*e->evaluate([](std::string_view) { return std::nullopt; }), json::value(201));
}

TEST(ExpressionLimits, OutOfRangeNumbersAreAnError) {
  EXPECT_THAT(parse_error(std::string(400, '9')), HasSubstr("is out of range"));
  EXPECT_THAT(parse_error(std::string(400, '9') + ".5"), HasSubstr("is out of range"));
  EXPECT_TRUE(Expression::parse("99999999999999999999 > 1"));  // past int64: a double
}

TEST_F(ExpressionTest, MatchesIsLinearTimeOnHostileInput) {
  ctx_.set_variable("long", json::string(std::string(20000, 'a')));
  ctx_.set_variable("thirty", json::string(std::string(30, 'a') + "!"));
  EXPECT_EQ(eval("long matches '^(a|b)*$'"), json::value(true));
  EXPECT_EQ(eval("thirty matches '(a+)+$'"), json::value(false));
  EXPECT_EQ(eval("matches(long, 'a{3}')"), json::value(true));
}

TEST_F(ExpressionTest, InvalidPatternsNameThePatternAndTheReason) {
  auto e = Expression::parse("mode matches '(unclosed'");
  ASSERT_TRUE(e);
  auto v = e->evaluate([&](std::string_view p) { return ctx_.resolve(p); });
  ASSERT_FALSE(v);
  EXPECT_THAT(v.status().message(), HasSubstr("invalid regular expression '(unclosed'"));
}

}  // namespace
}  // namespace pipeline
