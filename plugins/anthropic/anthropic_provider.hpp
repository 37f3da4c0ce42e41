// The Anthropic Messages API (POST {base_url}/v1/messages) as a pipeline provider: x-api-key and
// anthropic-version headers, system prompt, max_tokens, temperature, top_p, stop sequences, and
// SSE streaming (message_start ... content_block_delta ... message_stop).
//
//   providers: { claude: { plugin: anthropic, model: claude-sonnet-4-20250514 } }
#ifndef PIPELINE_PLUGINS_ANTHROPIC_PROVIDER_HPP
#define PIPELINE_PLUGINS_ANTHROPIC_PROVIDER_HPP

#include "http_common/http_provider.hpp"

namespace pipeline::plugins {

class AnthropicProvider : public http::HttpProvider {
 public:
  AnthropicProvider(const pl_host_api* host, std::string_view config_json);

 protected:
  http::HttpRequest build_request(const http::ChatRequest& request) const override;
  http::Completion parse_response(const boost::json::object& reply) const override;
  std::unique_ptr<http::StreamDecoder> make_stream_decoder() const override;
  http::Failure parse_error(const http::HttpResponse& response) const override;
  std::string_view request_id_header() const override { return "request-id"; }

 private:
  std::string anthropic_version_;
};

// Maps Anthropic's stop_reason to the normalized finish reason.
std::string anthropic_finish_reason(std::string_view stop_reason);
// Classifies an Anthropic error object {"type", "message"} (from a body or an SSE error event).
http::Failure anthropic_failure(const boost::json::object& error, long http_status);

}  // namespace pipeline::plugins

#endif  // PIPELINE_PLUGINS_ANTHROPIC_PROVIDER_HPP
