// Shared fixture of the provider plugin tests: the three provider plugins loaded through
// PluginHost from the build's plugin folder, a fresh loopback MockLlmServer per test, and helpers
// to call a provider and read its response or error JSON.
//
//   TEST_P(ProviderTest, X) { auto p = make(); auto out = call(*p, request("hi")); }
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mock_llm_server/mock_llm_server.hpp"

namespace pipeline::testing {

// The keys the mock server expects, published to the plugins through these variables.
inline constexpr const char* kAnthropicKeyEnv = "PIPELINE_TEST_ANTHROPIC_KEY";
inline constexpr const char* kGeminiKeyEnv = "PIPELINE_TEST_GEMINI_KEY";
inline constexpr const char* kOpenAiKeyEnv = "PIPELINE_TEST_OPENAI_KEY";
inline constexpr const char* kAnthropicKey = "sk-ant-mock-SECRET-1111";
inline constexpr const char* kGeminiKey = "AIza-mock-SECRET-2222";
inline constexpr const char* kOpenAiKey = "sk-mock-SECRET-3333";

struct Outcome {
  int32_t status = 0;
  boost::json::object response;  // on success
  boost::json::object error;     // on failure: {class, http_status, retry_after_ms, message}
  std::string raw_response;
  std::string raw_error;
  std::vector<std::pair<std::string, std::string>> events;  // (kind, data) emitted

  bool ok() const { return status == PL_OK; }
  std::string text() const;
  std::string error_class() const;
  std::string streamed_text() const;  // text_delta events since the last stream_reset
};

struct CallOptions {
  std::optional<std::chrono::milliseconds> timeout;
  CancellationToken cancel;
};

// Everything a provider test needs, independent of how the test is parameterized.
class ProviderHarness {
 public:
  static PluginHost& host();
  static MockLlmServer::Options server_options();

  void start_harness(std::string provider);
  void stop_harness();

  const std::string& provider() const { return provider_; }
  MockLlmServer& server() { return *server_; }
  // Small timeouts and backoffs so fault tests stay quick.
  boost::json::object base_config() const;
  std::shared_ptr<ProviderInstance> make(const boost::json::object& overrides = {});
  static boost::json::object request(const std::string& user_text, bool stream = false);
  Outcome call(const ProviderInstance& p, const boost::json::object& request,
               const CallOptions& options = {});
  // Requests the server received for this provider's API.
  std::vector<ReceivedRequest> received() const;

 private:
  std::string provider_;
  std::unique_ptr<MockLlmServer> server_;
};

class ProviderTest : public ::testing::TestWithParam<std::string>, public ProviderHarness {
 protected:
  void SetUp() override { start_harness(GetParam()); }
  void TearDown() override { stop_harness(); }
};

// Names the parameterized instances after the provider.
std::string provider_name(const ::testing::TestParamInfo<std::string>& info);

}  // namespace pipeline::testing

#define PIPELINE_ALL_PROVIDERS(suite)                                                            \
  INSTANTIATE_TEST_SUITE_P(Providers, suite, ::testing::Values("anthropic", "gemini", "openai"), \
                           ::pipeline::testing::provider_name)
