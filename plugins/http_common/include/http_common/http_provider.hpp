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

// A refusal (finish_reason content_filter) that carries no text is a content_filter failure,
// never an empty answer. One check for every provider and both paths (whole reply, stream);
// `message` is the provider's wording ("anthropic: the model refused to answer").
void reject_textless_refusal(const Completion& c, bool has_text, std::string_view message);

// Turns one provider's SSE events into text deltas and the final metadata. The part every
// provider got wrong once is written here: a payload that is not a JSON object is bad_response
// (never retried as a network failure), and a refusal with no text is a content_filter failure.
// A provider supplies on_json (and on_control for payloads that are not JSON).
class StreamDecoder {
 public:
  // `provider` prefixes messages ("openai"); `refusal` is reject_textless_refusal's message.
  StreamDecoder(std::string provider, std::string refusal)
      : provider_(std::move(provider)), refusal_(std::move(refusal)) {}
  virtual ~StreamDecoder() = default;
  // Handles one event; appends new text to `delta`. Throws FailureError for an error event or an
  // unparsable payload.
  void on_event(const SseEvent& event, std::string& delta);
  // True once the stream's terminal event arrived; a stream ending before is truncated.
  bool finished() const { return finished_; }
  // Metadata gathered from the events (the text is assembled by the caller).
  Completion result() const;

 protected:
  // True when the event is a control event handled without a JSON payload (a keep-alive, a
  // "[DONE]" sentinel); the default handles none.
  virtual bool on_control(const SseEvent&) { return false; }
  // One event's JSON object payload.
  virtual void on_json(const SseEvent& event, const boost::json::object& payload,
                       std::string& delta) = 0;

  Completion result_;
  bool finished_ = false;

 private:
  std::string provider_;
  std::string refusal_;
  bool seen_text_ = false;
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
