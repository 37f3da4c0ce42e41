// sdk/secret.hpp: keys are trimmed, and every form of one a server may echo is redacted.
#include <pipeline/plugins/secret_redactor.hpp>
#include <pipeline/sdk/secret.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace pipeline {
namespace {

TEST(Secret, SurroundingWhitespaceIsTrimmed) {
  EXPECT_EQ(sdk::trim_secret(" \tsk-abc-123 \r\n"), "sk-abc-123");
  EXPECT_EQ(sdk::trim_secret("sk abc"), "sk abc") << "inner whitespace is part of the key";
  EXPECT_EQ(sdk::trim_secret(" \n "), "");
}

TEST(Secret, EveryEchoedFormOfAKeyWithATrailingSpaceIsRedacted) {
  const std::string raw = "sk-secret+key/42 ";
  const auto forms = sdk::secret_forms(raw);
  for (const std::string& echoed : {
           std::string("sk-secret+key/42 "),        // as read
           std::string("sk-secret+key/42"),         // trimmed, as HTTP delivers a header value
           std::string("sk-secret%2Bkey%2F42%20"),  // URL-encoded
           std::string("sk-secret%2bkey%2f42"),     // URL-encoded, lower-case hex, trimmed
           std::string("sk-secret%2Bkey%2F42+"),    // form-encoded space
       }) {
    const std::string text = "Incorrect API key provided: " + echoed + ".";
    const std::string out = sdk::redact_secret_forms(text, forms);
    EXPECT_EQ(out, "Incorrect API key provided: [REDACTED].") << echoed;
  }
}

TEST(Secret, AJsonEscapedKeyIsRedacted) {
  const auto forms = sdk::secret_forms("sk-tab\tkey\n");
  EXPECT_EQ(sdk::redact_secret_forms(R"({"message":"bad key sk-tab\tkey\n"})", forms),
            R"({"message":"bad key [REDACTED]"})");
}

TEST(Secret, ShortKeysAreLeftAloneSoOrdinaryTextSurvives) {
  const auto forms = sdk::secret_forms(" abc\n");
  EXPECT_TRUE(std::find(forms.begin(), forms.end(), "abc") == forms.end());
  EXPECT_EQ(sdk::redact_secret_forms("a cab ride, abc", forms), "a cab ride, abc");
}

TEST(SecretRedactor, RedactsTheTrimmedFormOfAnEnvironmentKey) {
  ::setenv("PIPELINE_TEST_SECRET_WS", "sk-env-key-9999  ", 1);
  SecretRedactor r;
  r.add_from_env("PIPELINE_TEST_SECRET_WS");
  EXPECT_EQ(r.redact("echo sk-env-key-9999, again sk-env-key-9999  !"),
            "echo [REDACTED], again [REDACTED]!");
  ::unsetenv("PIPELINE_TEST_SECRET_WS");
}

}  // namespace
}  // namespace pipeline
