// OpenAI Chat Completions (POST {base_url}/chat/completions) as a pipeline provider: OpenAI itself
// and every compatible server (vLLM, llama.cpp's server, Ollama). Bearer token only when
// api_key_env is configured, so local servers need no key.
//
//   providers: { local: { plugin: openai, base_url: "http://127.0.0.1:8080/v1", model: qwen } }
#ifndef PIPELINE_PLUGINS_OPENAI_PROVIDER_HPP
#define PIPELINE_PLUGINS_OPENAI_PROVIDER_HPP

#include "http_common/http_provider.hpp"

namespace pipeline::plugins {

class OpenAiProvider : public http::HttpProvider {
 public:
  OpenAiProvider(const pl_host_api* host, std::string_view config_json);

 protected:
  http::HttpRequest build_request(const http::ChatRequest& request) const override;
  http::Completion parse_response(const boost::json::object& reply) const override;
  std::unique_ptr<http::StreamDecoder> make_stream_decoder() const override;
  http::Failure parse_error(const http::HttpResponse& response) const override;
  std::string_view request_id_header() const override { return "x-request-id"; }

 private:
  std::string max_tokens_field_;
  bool stream_include_usage_ = true;
  std::string organization_;
};

// Maps a Chat Completions finish_reason to the normalized finish reason.
std::string openai_finish_reason(std::string_view reason);
// Classifies an OpenAI error object {"message", "type", "param", "code"}.
http::Failure openai_failure(const boost::json::object& error, long http_status);

}  // namespace pipeline::plugins

#endif  // PIPELINE_PLUGINS_OPENAI_PROVIDER_HPP
