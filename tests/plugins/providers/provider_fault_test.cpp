// Every fault of the mock server against every provider: the structured error JSON names the
// right class and HTTP status, retryable faults are retried up to max_attempts, the others are
// not, and a transient fault followed by a good reply ends in the full answer.
#include <boost/json.hpp>

#include <tuple>

#include "provider_fixture.hpp"

namespace pipeline::testing {
namespace {

namespace json = boost::json;

struct FaultCase {
  const char* label;
  const char* spec;  // x-mock-fault
  bool stream;
  const char* error_class;
  int http_status;  // -1: provider-specific (checked separately), 0: none
  size_t attempts;  // requests the server must see (config max_attempts = 3 unless overridden)
  json::object config = {};
};

std::vector<FaultCase> fault_cases() {
  json::object quick_first_byte{{"first_byte_timeout_ms", 150}, {"max_attempts", 2}};
  json::object quick_idle{{"idle_timeout_ms", 150}, {"max_attempts", 2}};
  json::object small_body{{"max_response_bytes", 65536}};
  return {
      {"rate_limit", "rate_limit;retry_after_ms=10", false, "rate_limited", 429, 3},
      {"rate_limit_stream", "rate_limit;retry_after_ms=10", true, "rate_limited", 429, 3},
      {"server_error", "server_error", false, "server_error", 500, 3},
      {"overloaded", "overloaded", false, "overloaded", -1, 3},
      {"overloaded_stream", "overloaded", true, "overloaded", -1, 3},
      {"status_529", "status;code=529", false, "overloaded", 529, 3},
      {"status_502", "status;code=502", false, "server_error", 502, 3},
      {"status_503", "status;code=503", false, "overloaded", 503, 3},
      {"status_504", "status;code=504", false, "server_error", 504, 3},
      {"status_408", "status;code=408", false, "timeout", 408, 3},
      {"slow_first_byte", "slow_first_byte;ms=3000", false, "timeout", 0, 2, quick_first_byte},
      {"slow_first_byte_stream", "slow_first_byte;ms=3000", true, "timeout", 0, 2,
       quick_first_byte},
      {"stall_stream", "stall;ms=3000", true, "timeout", 0, 2, quick_idle},
      {"stall", "stall;ms=3000", false, "timeout", 0, 2, quick_idle},
      {"truncate_stream", "truncate", true, "network", 200, 3},
      {"truncate", "truncate", false, "network", 0, 3},
      {"disconnect_stream", "disconnect", true, "network", 0, 3},
      // Failures inside a successful HTTP reply carry its status, 200 (docs/abi.md).
      {"malformed_json", "malformed_json", false, "bad_response", 200, 1},
      {"malformed_json_stream", "malformed_json", true, "bad_response", 200, 1},
      // A streaming request answered with a JSON content type and a body that does not parse:
      // a bad response, not a cut stream, and not retried.
      {"malformed_json_body_stream", "malformed_json_body", true, "bad_response", 200, 1},
      {"oversize", "oversize;bytes=300000", false, "bad_response", 0, 1, small_body},
      {"oversize_stream", "oversize;bytes=300000", true, "bad_response", 0, 1, small_body},
      {"context_window", "context_window", false, "context_window", 400, 1},
      {"content_filter", "content_filter", false, "content_filter", 200, 1},
      {"content_filter_stream", "content_filter", true, "content_filter", 200, 1},
      {"auth", "auth", false, "auth", 401, 1},
      {"status_400", "status;code=400", false, "invalid_request", 400, 1},
      {"status_403", "status;code=403", false, "auth", 403, 1},
      {"status_404", "status;code=404", false, "invalid_request", 404, 1},
  };
}

class ProviderFaultTest : public ::testing::TestWithParam<std::tuple<std::string, FaultCase>>,
                          public ProviderHarness {
 protected:
  void SetUp() override { start_harness(std::get<0>(GetParam())); }
  void TearDown() override { stop_harness(); }
  const FaultCase& fault() const { return std::get<1>(GetParam()); }
};

TEST_P(ProviderFaultTest, FailsWithTheRightClassAndRetriesOnlyTransientFaults) {
  const FaultCase& f = fault();
  json::object overrides = f.config;
  overrides["headers"] = json::object{{"x-mock-fault", f.spec}};
  auto p = make(overrides);
  ASSERT_TRUE(p);
  Outcome out = call(*p, request("fault please", f.stream));
  ASSERT_FALSE(out.ok()) << "a fault must never look like an answer: " << out.raw_response;
  ASSERT_FALSE(out.error.empty()) << "error is not JSON: " << out.raw_error;
  EXPECT_EQ(out.error_class(), f.error_class) << out.raw_error;
  EXPECT_TRUE(out.error.contains("http_status") && out.error.contains("retry_after_ms") &&
              out.error.contains("message"));
  int http = static_cast<int>(out.error.at("http_status").as_int64());
  if (f.http_status == -1) {
    EXPECT_EQ(http, provider() == "anthropic" ? 529 : 503);
  } else if (f.http_status != 0) {
    EXPECT_EQ(http, f.http_status);
  }
  EXPECT_EQ(received().size(), f.attempts) << out.raw_error;
  if (std::string_view(f.label).rfind("rate_limit", 0) == 0) {
    EXPECT_EQ(out.error.at("retry_after_ms").as_int64(), 10);
  }
  if (std::string_view(f.label) == "truncate_stream") {
    EXPECT_NE(out.error.at("message").as_string().find("truncated"), json::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ProviderFaultTest,
    ::testing::Combine(::testing::Values("anthropic", "gemini", "openai"),
                       ::testing::ValuesIn(fault_cases())),
    [](const ::testing::TestParamInfo<std::tuple<std::string, FaultCase>>& info) {
      return std::get<0>(info.param) + "_" + std::get<1>(info.param).label;
    });

// A transient fault on the first attempt only: the second attempt answers in full.
struct RecoveryCase {
  const char* label;
  const char* spec;
  bool stream;
  json::object config = {};
};

class ProviderRecoveryTest : public ::testing::TestWithParam<std::tuple<std::string, RecoveryCase>>,
                             public ProviderHarness {
 protected:
  void SetUp() override { start_harness(std::get<0>(GetParam())); }
  void TearDown() override { stop_harness(); }
};

TEST_P(ProviderRecoveryTest, RetriesATransientFaultAndReturnsTheFullAnswer) {
  const RecoveryCase& c = std::get<1>(GetParam());
  auto p = make(c.config);
  ASSERT_TRUE(p);
  server().push_fault(c.spec, 1);
  Outcome out = call(*p, request("alpha beta gamma delta", c.stream));
  ASSERT_TRUE(out.ok()) << out.raw_error;
  EXPECT_EQ(out.text(), "echo: alpha beta gamma delta");
  EXPECT_EQ(out.response.at("attempts").as_int64(), 2);
  EXPECT_EQ(received().size(), 2u);
  if (c.stream) {
    // Partial text of the failed attempt was withdrawn by a stream_reset event.
    EXPECT_EQ(out.streamed_text(), out.text());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Recovery, ProviderRecoveryTest,
    ::testing::Combine(
        ::testing::Values("anthropic", "gemini", "openai"),
        ::testing::Values(RecoveryCase{"rate_limit", "rate_limit;retry_after_ms=10", false},
                          RecoveryCase{"server_error", "server_error", false},
                          RecoveryCase{"overloaded", "overloaded", true},
                          RecoveryCase{"truncate_stream", "truncate", true},
                          RecoveryCase{"disconnect_stream", "disconnect", true},
                          RecoveryCase{
                              "stall_stream", "stall;ms=3000", true, {{"idle_timeout_ms", 150}}},
                          RecoveryCase{"slow_first_byte",
                                       "slow_first_byte;ms=3000",
                                       false,
                                       {{"first_byte_timeout_ms", 150}}})),
    [](const ::testing::TestParamInfo<std::tuple<std::string, RecoveryCase>>& info) {
      return std::get<0>(info.param) + "_" + std::get<1>(info.param).label;
    });

}  // namespace
}  // namespace pipeline::testing
