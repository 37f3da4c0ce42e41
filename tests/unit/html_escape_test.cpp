#include <pipeline/util/html_escape.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

TEST(HtmlEscape, MarkupCharactersBecomeReferences) {
  EXPECT_EQ(html_escape("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
}

TEST(HtmlEscape, PlainAndNonAsciiTextIsUnchanged) {
  EXPECT_EQ(html_escape("classify ticket"), "classify ticket");
  EXPECT_EQ(html_escape("r\xc3\xa9sum\xc3\xa9 \xe2\x86\x92"), "r\xc3\xa9sum\xc3\xa9 \xe2\x86\x92");
  EXPECT_EQ(html_escape(""), "");
}

TEST(HtmlEscape, IllFormedUtf8IsReplaced) {
  EXPECT_EQ(html_escape("a\xff<"), "a\xef\xbf\xbd&lt;");
}

TEST(HtmlEscape, AnAlreadyEscapedReferenceIsEscapedAgain) {
  // The input is text, not markup: "&lt;" must show as the four characters.
  EXPECT_EQ(html_escape("&lt;"), "&amp;lt;");
}

}  // namespace
}  // namespace pipeline
