// The SDK's C++ helpers: exceptions become statuses at the boundary, provider errors become the
// structured error JSON, and StringBuffer collects appended bytes.
#include <pipeline/plugin.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using pipeline::sdk::StringBuffer;
using ::testing::HasSubstr;

TEST(SdkHelpers, GuardTurnsExceptionsIntoStatuses) {
  StringBuffer err;
  int32_t st = pipeline::sdk::detail::guard(
      err.get(), [] { throw pipeline::sdk::Error(PL_NOT_FOUND, "no such thing"); });
  EXPECT_EQ(st, PL_NOT_FOUND);
  EXPECT_EQ(err.str(), "no such thing");

  StringBuffer err2;
  st = pipeline::sdk::detail::guard(err2.get(), [] { throw std::runtime_error("plain"); });
  EXPECT_EQ(st, PL_INTERNAL);
  EXPECT_EQ(err2.str(), "plain");

  StringBuffer err3;
  st = pipeline::sdk::detail::guard(err3.get(), [] { throw 42; });
  EXPECT_EQ(st, PL_INTERNAL);
}

TEST(SdkHelpers, ProviderErrorsBecomeStructuredJson) {
  StringBuffer err;
  int32_t st = pipeline::sdk::detail::guard_provider(err.get(), [] {
    throw pipeline::sdk::ProviderError(PL_RESOURCE_EXHAUSTED, "rate_limited", "slow \"down\"", 429,
                                       1500);
  });
  EXPECT_EQ(st, PL_RESOURCE_EXHAUSTED);
  EXPECT_EQ(
      err.str(),
      R"({"class":"rate_limited","http_status":429,"retry_after_ms":1500,"message":"slow \"down\""})");
}

TEST(SdkHelpers, JsonEscapeHandlesControlCharacters) {
  EXPECT_EQ(pipeline::sdk::json_escape("a\nb\x01"), "a\\nb\\u0001");
}

TEST(SdkHelpers, StringBufferAppendsAndClears) {
  StringBuffer b;
  b.get()->append(b.get(), "abc", 3);
  b.get()->append(b.get(), "de", 2);
  EXPECT_EQ(b.str(), "abcde");
  b.get()->clear(b.get());
  EXPECT_EQ(b.str(), "");
}

}  // namespace
