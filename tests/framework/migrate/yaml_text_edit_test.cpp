#include <pipeline/migrate/yaml_text_edit.hpp>

#include <gtest/gtest.h>

namespace pipeline::migrate {
namespace {

TEST(YamlTextEdit, SplitKeepsEachLinesEnding) {
  auto l = split_lines_keeping_endings("a\r\nb\nc");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], "a\r\n");
  EXPECT_EQ(l[1], "b\n");
  EXPECT_EQ(l[2], "c");
  EXPECT_TRUE(split_lines_keeping_endings("").empty());
}

TEST(YamlTextEdit, InsertsIndentedLinesAndLeavesEveryOtherByteAlone) {
  const std::string in = "a:\n  b: 1   # keep\n\n  c: 'x'\n";
  std::string out = apply_insertions(in, {{2, 2, {"new: 1", "more:", "  - x"}}});
  EXPECT_EQ(out, "a:\n  b: 1   # keep\n  new: 1\n  more:\n    - x\n\n  c: 'x'\n");
}

TEST(YamlTextEdit, CrlfDocumentsGetCrlfLines) {
  std::string out = apply_insertions("a:\r\n  b: 1\r\n", {{1, 2, {"n: 2"}}});
  EXPECT_EQ(out, "a:\r\n  n: 2\r\n  b: 1\r\n");
}

TEST(YamlTextEdit, InsertingAfterALastLineWithoutEndingEndsItFirst) {
  EXPECT_EQ(apply_insertions("a: 1", {{1, 0, {"b: 2"}}}), "a: 1\nb: 2\n");
}

TEST(YamlTextEdit, SeveralInsertionsKeepLineOrderAndTheirOwnOrder) {
  std::string out =
      apply_insertions("x\ny\n", {{1, 0, {"second"}}, {0, 0, {"top"}}, {1, 0, {"third"}}});
  EXPECT_EQ(out, "top\nx\nsecond\nthird\ny\n");
}

TEST(YamlTextEdit, CommentLineIsOnlyACommentAfterIndentation) {
  EXPECT_TRUE(is_comment_line("   # c\n"));
  EXPECT_FALSE(is_comment_line("a: 1 # c\n"));
  EXPECT_FALSE(is_comment_line("\n"));
}

}  // namespace
}  // namespace pipeline::migrate
