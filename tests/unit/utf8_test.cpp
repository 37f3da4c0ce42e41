// UTF-8 checking and repair (pipeline/util/utf8.hpp).
#include <pipeline/util/utf8.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_FALSE(first_invalid_utf8("plain ascii"));
  EXPECT_FALSE(first_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_EQ(first_invalid_utf8("caf\xE9 au lait"), 3u);    // Latin-1 e-acute
  EXPECT_EQ(first_invalid_utf8("ab\xC0\xAF"), 2u);         // overlong
  EXPECT_EQ(first_invalid_utf8("\xED\xA0\x80"), 0u);       // surrogate
  EXPECT_EQ(first_invalid_utf8("x\xF4\x90\x80\x80"), 1u);  // past U+10FFFF
  EXPECT_EQ(first_invalid_utf8("trunc\xE2\x82"), 5u);
}

TEST(Utf8, RepairsWithReplacementCharacters) {
  EXPECT_EQ(valid_utf8("caf\xE9!"), "caf\xEF\xBF\xBD!");
  EXPECT_EQ(valid_utf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_FALSE(first_invalid_utf8(valid_utf8("\xFF\xFE\x80 \xE2\x82")));
}

}  // namespace
}  // namespace pipeline
