#include "provider_fixture.hpp"

#include <cstdlib>
#include <mutex>

namespace pipeline::testing {

namespace json = boost::json;

std::string Outcome::text() const {
  auto it = response.find("text");
  return it != response.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                         : std::string();
}

std::string Outcome::error_class() const {
  auto it = error.find("class");
  return it != error.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                      : std::string();
}

std::string Outcome::streamed_text() const {
  std::string out;
  for (const auto& [kind, data] : events) {
    if (kind == "stream_reset") out.clear();
    if (kind == "text_delta") out += data;
  }
  return out;
}

std::string provider_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

PluginHost& ProviderHarness::host() {
  static PluginHost* h = [] {
    setenv(kAnthropicKeyEnv, kAnthropicKey, 1);
    setenv(kGeminiKeyEnv, kGeminiKey, 1);
    setenv(kOpenAiKeyEnv, kOpenAiKey, 1);
    auto* host = new PluginHost();  // lives for the whole test binary, like a real host
    for (const char* name : {"anthropic", "gemini", "openai"}) {
      Status st =
          host->load_file(std::string(PIPELINE_PLUGIN_DIR) + "/libpipeline_" + name + ".so");
      if (!st.ok()) {
        ADD_FAILURE() << st.message();
      }
    }
    return host;
  }();
  return *h;
}

MockLlmServer::Options ProviderHarness::server_options() {
  MockLlmServer::Options o;
  o.anthropic_key = kAnthropicKey;
  o.gemini_key = kGeminiKey;
  o.openai_key = kOpenAiKey;
  o.threads = 24;
  return o;
}

void ProviderHarness::start_harness(std::string provider) {
  provider_ = std::move(provider);
  host();
  server_ = std::make_unique<MockLlmServer>(server_options());
  server_->start();
}

void ProviderHarness::stop_harness() {
  server_->stop();
}

json::object ProviderHarness::base_config() const {
  json::object c;
  c["base_url"] = provider() == "openai" ? server_->base_url() + "/v1" : server_->base_url();
  c["api_key_env"] = provider() == "anthropic" ? kAnthropicKeyEnv
                     : provider() == "gemini"  ? kGeminiKeyEnv
                                               : kOpenAiKeyEnv;
  c["model"] = provider() == "anthropic" ? "claude-sonnet-4-20250514"
               : provider() == "gemini"  ? "gemini-2.5-flash"
                                         : "gpt-4o-mini";
  c["connect_timeout_ms"] = 2000;
  c["first_byte_timeout_ms"] = 3000;
  c["idle_timeout_ms"] = 3000;
  c["timeout_ms"] = 10000;
  c["max_attempts"] = 3;
  c["initial_backoff_ms"] = 5;
  c["max_backoff_ms"] = 20;
  c["max_response_bytes"] = 1 << 20;
  return c;
}

std::shared_ptr<ProviderInstance> ProviderHarness::make(const json::object& overrides) {
  json::object c = base_config();
  for (const auto& [k, v] : overrides) c[k] = v;
  auto p = host().create_provider(provider(), json::serialize(c));
  if (!p.ok()) {
    ADD_FAILURE() << "create_provider(" << provider() << "): " << p.status().message();
    return nullptr;
  }
  return *p;
}

json::object ProviderHarness::request(const std::string& user_text, bool stream) {
  return {{"messages", json::array{json::object{{"role", "user"}, {"content", user_text}}}},
          {"max_tokens", 64},
          {"stream", stream}};
}

Outcome ProviderHarness::call(const ProviderInstance& p, const json::object& req,
                              const CallOptions& options) {
  Outcome out;
  std::mutex mu;
  std::optional<CallContext::Clock::duration> timeout;
  if (options.timeout) timeout = *options.timeout;
  CallContext ctx(options.cancel, timeout, [&](std::string_view kind, std::string_view data) {
    std::lock_guard lock(mu);
    out.events.emplace_back(std::string(kind), std::string(data));
    return true;
  });
  CallResult r = p.complete(json::serialize(req), ctx);
  out.status = r.status;
  out.raw_response = r.body;
  out.raw_error = r.error;
  if (r.ok()) {
    json::value v = json::parse(r.body);
    out.response = v.as_object();
  } else {
    boost::system::error_code ec;
    json::value v = json::parse(r.error, ec);
    if (!ec && v.is_object()) out.error = v.as_object();
  }
  return out;
}

std::vector<ReceivedRequest> ProviderHarness::received() const {
  std::vector<ReceivedRequest> out;
  for (auto& r : server_->requests())
    if (r.api == provider()) out.push_back(r);
  return out;
}

}  // namespace pipeline::testing
