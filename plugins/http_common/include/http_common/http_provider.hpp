// The base of the HTTP provider plugins: one complete() with retries, backoff, Retry-After,
// timeouts, cancellation, SSE streaming, cost and structured errors, written once. A provider
// supplies only its wire format through the virtual hooks.
//
//   class AnthropicProvider : public HttpProvider {
//     HttpRequest build_request(const ChatRequest&) const override;
//     Completion parse_response(const boost::json::object&) const override;
//     std::unique_ptr<StreamDecoder> make_stream_decoder() const override;
//     Failure parse_error(const HttpResponse&) const override;
//   };
#ifndef PIPELINE_HTTP_COMMON_HTTP_PROVIDER_HPP
#define PIPELINE_HTTP_COMMON_HTTP_PROVIDER_HPP

#include <pipeline/plugin.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http_common/chat_request.hpp"
#include "http_common/failure.hpp"
#include "http_common/http_client.hpp"
#include "http_common/provider_config.hpp"
#include "http_common/sse_parser.hpp"

namespace pipeline::http {

// What one successful call produced, before latency and cost are added.
struct Completion {
  std::string text;
  std::string finish_reason;  // normalized: stop, length, content_filter, tool_calls, other
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  std::string model;
  std::string request_id;
};

// Turns one provider's SSE events into text deltas and the final metadata.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Handles one event; appends new text to `delta`. Throws FailureError for an error event or an
  // unparsable payload.
  virtual void on_event(const SseEvent& event, std::string& delta) = 0;
  // True once the stream's terminal event arrived; a stream ending before is truncated.
  virtual bool finished() const = 0;
  // Metadata gathered from the events (the text is assembled by the caller).
  virtual Completion result() const = 0;
};

class HttpProvider : public sdk::Provider {
 public:
  HttpProvider(const pl_host_api* host, std::string_view config_json,
               const ProviderDefaults& defaults,
               std::initializer_list<std::string_view> provider_keys);

  // [thread] any thread, concurrently (the component is registered PL_FLAG_CONCURRENT).
  std::string complete(const sdk::CallContext& ctx, std::string_view request_json) final;

  const ProviderConfig& config() const { return config_; }
  const HttpClient& client() const { return client_; }

 protected:
  // The URL, headers (with the key) and JSON body of one request.
  virtual HttpRequest build_request(const ChatRequest& request) const = 0;
  // Parses a 2xx non-streaming reply. Throws FailureError (bad_response, content_filter).
  virtual Completion parse_response(const boost::json::object& reply) const = 0;
  virtual std::unique_ptr<StreamDecoder> make_stream_decoder() const = 0;
  // Classifies an HTTP error reply from its status and the provider's error body. The default
  // uses the status alone; Retry-After headers are handled by the caller.
  virtual Failure parse_error(const HttpResponse& response) const;
  // The response header carrying the provider's request id ("" for none).
  virtual std::string_view request_id_header() const { return {}; }

  // Builds a bad_response failure (for the hooks).
  static FailureError bad_response(std::string message);

 private:
  Completion attempt(const HttpRequest& http, const ChatRequest& request,
                     const sdk::CallContext& ctx, bool& emitted) const;
  // A 2xx reply that is one JSON document (to a plain request, or to a streaming one from a
  // server that does not stream).
  Completion whole_reply(const HttpResponse& response) const;
  Failure classify_http_error(const HttpResponse& response) const;
  [[noreturn]] void finish_with(Failure f, int attempts) const;

  ProviderConfig config_;
  mutable HttpClient client_;
};

// Serializes a JSON object into a request body and returns it.
std::string to_body(const boost::json::object& body);

}  // namespace pipeline::http

#endif  // PIPELINE_HTTP_COMMON_HTTP_PROVIDER_HPP
