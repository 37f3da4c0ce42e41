#include <pipeline/llm/completion_error.hpp>

#include <pipeline/json.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

TEST(CompletionError, IsTheAbisErrorDocument) {
  CallResult r = completion_error(PL_INTERNAL, "bad_response", "it said \"nothing\"");
  EXPECT_EQ(r.status, PL_INTERNAL);
  EXPECT_TRUE(r.body.empty());
  auto doc = parse_json(r.error);
  ASSERT_TRUE(doc) << r.error;
  EXPECT_EQ(doc->at("class"), json::value("bad_response"));
  EXPECT_EQ(doc->at("http_status"), json::value(0));
  EXPECT_EQ(doc->at("retry_after_ms"), json::value(-1));
  EXPECT_EQ(doc->at("message"), json::value("it said \"nothing\""));
  EXPECT_EQ(error_class_of(r.error), "bad_response");
}

TEST(CompletionError, ClassOfTextThatIsNoErrorDocumentIsUnknown) {
  EXPECT_EQ(error_class_of("connection reset"), "unknown");
  EXPECT_EQ(error_class_of(R"({"message":"no class"})"), "unknown");
}

}  // namespace
}  // namespace pipeline
