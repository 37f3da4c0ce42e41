// Retry policy end to end: Retry-After is honoured and capped, 4xx are never retried, keys.
#include <boost/json.hpp>

#include "provider_fixture.hpp"

namespace pipeline::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

class ProviderRetryTest : public ProviderTest {};

TEST_P(ProviderRetryTest, WaitsAtLeastRetryAfterBeforeRetrying) {
  // The exponential backoff is tiny (5..20 ms); only the server's hint can explain a long gap.
  auto p = make();
  ASSERT_TRUE(p);
  server().push_fault("rate_limit;retry_after_ms=300", 1);
  Outcome out = call(*p, request("patience"));
  ASSERT_TRUE(out.ok()) << out.raw_error;
  auto reqs = received();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_GE(reqs[1].received_at - reqs[0].received_at, milliseconds(300));
}

TEST_P(ProviderRetryTest, FailsAtOnceWhenRetryAfterExceedsTheCap) {
  auto p = make({{"max_retry_after_ms", 1000}});
  ASSERT_TRUE(p);
  server().push_fault("rate_limit;retry_after_ms=60000", 1);
  Outcome out = call(*p, request("too long a wait"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status, PL_RESOURCE_EXHAUSTED);
  EXPECT_EQ(out.error_class(), "rate_limited");
  EXPECT_EQ(out.error.at("retry_after_ms").as_int64(), 60000);
  EXPECT_EQ(received().size(), 1u);
}

TEST_P(ProviderRetryTest, MaxAttemptsOfOneDisablesRetries) {
  auto p = make({{"max_attempts", 1}});
  ASSERT_TRUE(p);
  server().push_fault("server_error", 1);
  Outcome out = call(*p, request("once"));
  EXPECT_EQ(out.error_class(), "server_error");
  EXPECT_EQ(received().size(), 1u);
}

TEST_P(ProviderRetryTest, NeverRetriesClientErrors) {
  auto p = make();
  ASSERT_TRUE(p);
  for (int code : {400, 401, 403, 404}) {
    server().clear_requests();
    server().push_fault("status;code=" + std::to_string(code), 5);
    Outcome out = call(*p, request("no retry"));
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.error.at("http_status").as_int64(), code);
    EXPECT_EQ(received().size(), 1u) << "HTTP " << code << " was retried";
    server().clear_faults();
  }
}

TEST_P(ProviderRetryTest, AWrongKeyIsAnAuthErrorAndNotRetried) {
  const char* env = "PIPELINE_TEST_WRONG_KEY";
  setenv(env, "sk-wrong-SECRET-9999", 1);
  auto p = make({{"api_key_env", env}});
  ASSERT_TRUE(p);
  Outcome out = call(*p, request("let me in"));
  EXPECT_EQ(out.status, PL_UNAUTHENTICATED);
  EXPECT_EQ(out.error_class(), "auth");
  EXPECT_EQ(out.error.at("http_status").as_int64(), 401);
  EXPECT_EQ(received().size(), 1u);
}

TEST_P(ProviderRetryTest, AnUnsetKeyVariableFailsBeforeSending) {
  auto p = make({{"api_key_env", "PIPELINE_TEST_SURELY_UNSET_VARIABLE"}});
  ASSERT_TRUE(p);
  Outcome out = call(*p, request("no key"));
  EXPECT_EQ(out.error_class(), "auth");
  EXPECT_NE(out.error.at("message").as_string().find("PIPELINE_TEST_SURELY_UNSET_VARIABLE"),
            json::string::npos);
  EXPECT_TRUE(received().empty());
}

PIPELINE_ALL_PROVIDERS(ProviderRetryTest);

// OpenAI-compatible local servers need no key: without api_key_env no Authorization is sent.
class OpenAiKeylessTest : public ::testing::Test, public ProviderHarness {
 protected:
  void SetUp() override { start_harness("openai"); }
  void TearDown() override { stop_harness(); }
};

TEST_F(OpenAiKeylessTest, AKeyedServerAnswers401WhenNoKeyIsConfigured) {
  json::object c = base_config();
  c.erase("api_key_env");
  auto created = host().create_provider("openai", json::serialize(c));
  ASSERT_TRUE(created.ok()) << created.status().message();
  Outcome out = call(**created, request("who am i"));
  EXPECT_EQ(out.error_class(), "auth");
  ASSERT_EQ(received().size(), 1u);
  EXPECT_EQ(received()[0].header("authorization"), "");
}

TEST_F(OpenAiKeylessTest, AKeylessServerAnswersWithoutAnyKey) {
  MockLlmServer::Options o = server_options();
  o.openai_key.clear();
  MockLlmServer local(o);
  local.start();
  json::object c = base_config();
  c.erase("api_key_env");
  c["base_url"] = local.base_url() + "/v1";
  c["model"] = "qwen2.5-7b-instruct";
  auto created = host().create_provider("openai", json::serialize(c));
  ASSERT_TRUE(created.ok()) << created.status().message();
  Outcome out = call(**created, request("local model"));
  ASSERT_TRUE(out.ok()) << out.raw_error;
  EXPECT_EQ(out.text(), "echo: local model");
  EXPECT_FALSE(out.response.at("cost_known").as_bool());
  EXPECT_EQ(out.response.at("cost_usd").as_double(), 0.0);
}

}  // namespace
}  // namespace pipeline::testing
