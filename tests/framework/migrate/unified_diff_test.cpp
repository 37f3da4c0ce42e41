#include <pipeline/migrate/unified_diff.hpp>

#include <gtest/gtest.h>

namespace pipeline::migrate {
namespace {

TEST(UnifiedDiff, EqualTextsGiveNoDiff) {
  EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), "");
}

TEST(UnifiedDiff, InsertionHasHeadersContextAndRanges) {
  std::string d =
      unified_diff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nnew\n5\n6\n7\n8\n", "a.yaml", "b.yaml");
  EXPECT_EQ(d, "--- a.yaml\n+++ b.yaml\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+new\n 5\n 6\n 7\n");
}

TEST(UnifiedDiff, FarApartChangesAreSeparateHunksNearOnesMerge) {
  std::string a, b;
  for (int i = 1; i <= 20; ++i) {
    a += std::to_string(i) + "\n";
    b += std::to_string(i) + "\n";
    if (i == 2 || i == 18) b += "x\n";
  }
  std::string d = unified_diff(a, b, "a", "b");
  EXPECT_NE(d.find("@@ -1,5 +1,6 @@"), std::string::npos) << d;
  EXPECT_NE(d.find("@@ -16,5 +17,6 @@"), std::string::npos) << d;
  std::string near = unified_diff("1\n2\n3\n4\n5\n", "1\nx\n2\n3\n4\ny\n5\n", "a", "b");
  EXPECT_EQ(near, "--- a\n+++ b\n@@ -1,5 +1,7 @@\n 1\n+x\n 2\n 3\n 4\n+y\n 5\n");
}

TEST(UnifiedDiff, DeletionAndMissingFinalNewlineAreMarked) {
  std::string d = unified_diff("a\nb", "a\nc", "x", "y");
  EXPECT_EQ(d,
            "--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
            "\\ No newline at end of file\n");
}

TEST(UnifiedDiff, AddingToAnEmptyFileStartsAtLineZero) {
  EXPECT_EQ(unified_diff("", "a\n", "x", "y"), "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n");
}

}  // namespace
}  // namespace pipeline::migrate
