// The Gemini API (models.generateContent and models.streamGenerateContent?alt=sse) as a pipeline
// provider. The key travels in the x-goog-api-key header, never in the URL (URLs end up in logs).
//
//   providers: { gemini: { plugin: gemini, model: gemini-2.5-flash } }
#ifndef PIPELINE_PLUGINS_GEMINI_PROVIDER_HPP
#define PIPELINE_PLUGINS_GEMINI_PROVIDER_HPP

#include "http_common/http_provider.hpp"

namespace pipeline::plugins {

class GeminiProvider : public http::HttpProvider {
 public:
  GeminiProvider(const pl_host_api* host, std::string_view config_json);

 protected:
  http::HttpRequest build_request(const http::ChatRequest& request) const override;
  http::Completion parse_response(const boost::json::object& reply) const override;
  std::unique_ptr<http::StreamDecoder> make_stream_decoder() const override;
  http::Failure parse_error(const http::HttpResponse& response) const override;

 private:
  std::string api_version_;
};

// Maps Gemini's finishReason to the normalized finish reason.
std::string gemini_finish_reason(std::string_view reason);
// Classifies a google.rpc.Status error object {"code", "message", "status", "details"}.
http::Failure gemini_failure(const boost::json::object& error, long http_status);

}  // namespace pipeline::plugins

#endif  // PIPELINE_PLUGINS_GEMINI_PROVIDER_HPP
