// API keys never leave the plugin: results, error JSON, streamed events, host log lines (captured
// at trace level through the host's log callback) and request URLs are searched for every key.
// The host's own redactor is left empty on purpose, so only the plugin's discipline is tested.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <sstream>

#include "provider_fixture.hpp"

namespace pipeline::testing {
namespace {

namespace json = boost::json;

// Routes spdlog's default logger (the host's log callback writes there) into a string.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

class ProviderSecretTest : public ProviderTest {};

TEST_P(ProviderSecretTest, NoKeyInResultsErrorsEventsOrLogs) {
  const std::string wrong_key = "sk-wrong-key-SECRET-4242";
  setenv("PIPELINE_TEST_LEAK_KEY", wrong_key.c_str(), 1);
  std::string everything;
  {
    LogCapture logs;
    auto good = make();
    auto bad = make({{"api_key_env", "PIPELINE_TEST_LEAK_KEY"}});
    ASSERT_TRUE(good && bad);
    std::vector<Outcome> outcomes;
    for (bool stream : {false, true}) {
      outcomes.push_back(call(*good, request("hello", stream)));
      outcomes.push_back(call(*bad, request("hello", stream)));
      for (const char* fault : {"rate_limit;retry_after_ms=5", "server_error", "truncate",
                                "malformed_json", "context_window", "auth", "content_filter"}) {
        server().push_fault(fault, 3);
        outcomes.push_back(call(*good, request("fault", stream)));
        server().clear_faults();
      }
    }
    EXPECT_TRUE(outcomes[0].ok());
    EXPECT_EQ(outcomes[1].error_class(), "auth");
    for (const auto& o : outcomes) {
      everything += o.raw_response + "\n" + o.raw_error + "\n";
      for (const auto& [kind, data] : o.events) everything += kind + " " + data + "\n";
    }
    everything += logs.text();
    EXPECT_NE(logs.text().find("retrying"), std::string::npos) << "logs were not captured";
  }
  for (const auto& r : server().requests()) everything += r.target + "\n";
  for (const std::string& key :
       {std::string(kAnthropicKey), std::string(kGeminiKey), std::string(kOpenAiKey), wrong_key}) {
    EXPECT_EQ(everything.find(key), std::string::npos) << "leaked " << key << " in:\n"
                                                       << everything;
  }
  if (provider() == "openai") {
    // The mock echoes a wrong OpenAI key in its 401 message; the plugin must have redacted it.
    EXPECT_NE(everything.find("[REDACTED]"), std::string::npos);
  }
}

PIPELINE_ALL_PROVIDERS(ProviderSecretTest);

}  // namespace
}  // namespace pipeline::testing
