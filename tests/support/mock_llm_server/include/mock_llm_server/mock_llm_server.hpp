// A loopback HTTP server that speaks the Anthropic Messages, Gemini generateContent /
// streamGenerateContent (?alt=sse) and OpenAI Chat Completions wire formats, including their SSE
// streams and error bodies, and misbehaves on demand. Replies are deterministic: the text is
// "echo: " followed by the last user message, one token per whitespace-separated word.
//
//   MockLlmServer server({.latency_ms = 50});
//   server.start();                                  // binds 127.0.0.1 on a free port
//   server.push_fault("rate_limit;retry_after_ms=100", 2);   // the next two requests get 429
//   ... point a provider at server.base_url() ...
//
// Faults are chosen per request by the `x-mock-fault` header, else from the server-side queue
// (push_fault), else from Options::default_fault. Spec: `name[;key=value]...`:
//   rate_limit   429 + Retry-After (retry_after_ms=1000; Gemini: RetryInfo in the body instead)
//   server_error 500              overloaded  Anthropic 529, Gemini/OpenAI 503
//   status       code=NNN: that status in the provider's error body
//   slow_first_byte  ms=2000: waits before sending anything, then answers normally
//   stall        streams half the events (non-stream: headers and half the body), waits ms=10000,
//                then drops the connection
//   truncate     streams half the events and ends the stream cleanly without its final event
//                (non-stream: declares the full Content-Length, sends half, closes)
//   disconnect   streams half the events, then drops the connection mid-chunk
//   malformed_json   200 with a body (or an SSE event) that is not valid JSON
//   malformed_json_body  200, application/json, a body that is not valid JSON, even to a
//                streaming request (no SSE at all)
//   ignore_stream    a whole application/json reply to a streaming request
//   oversize     bytes=33554432: a valid reply whose text makes the body that large
//   context_window   400 in the provider's "prompt too long" form
//   content_filter   a reply blocked by the provider's safety filter, with no text
//   auth         401 whatever the key
#ifndef PIPELINE_TESTS_MOCK_LLM_SERVER_HPP
#define PIPELINE_TESTS_MOCK_LLM_SERVER_HPP

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pipeline::testing {

struct ReceivedRequest {
  std::string api;  // "anthropic", "gemini", "openai" or "unknown"
  std::string method;
  std::string target;                                        // path and query as received
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string fault;     // the fault applied, "" for none
  int remote_port = -1;  // tells connections apart (reuse shows as one port, many requests)
  std::chrono::steady_clock::time_point received_at;

  std::string header(const std::string& lower_name) const;
};

class MockLlmServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;                   // 0: any free port
    int latency_ms = 0;             // added before every reply
    int stream_chunk_delay_ms = 0;  // between SSE events
    std::string anthropic_key = "mock-anthropic-key";
    std::string gemini_key = "mock-gemini-key";
    std::string openai_key = "";  // empty: the OpenAI endpoint needs no key (a local server)
    std::string default_fault;    // applied when a request names none and the queue is empty
    size_t threads = 160;         // keep-alive connections each hold one
    bool record_requests = true;  // keep ReceivedRequest logs (benchmarks turn this off)
    // Empty: the reply echoes the last user message. Else every reply is this text, so a
    // benchmark can answer in an adapter's format (a parsable, metric-passing reply).
    std::string reply_text;
  };

  MockLlmServer();
  explicit MockLlmServer(Options options);
  ~MockLlmServer();
  MockLlmServer(const MockLlmServer&) = delete;
  MockLlmServer& operator=(const MockLlmServer&) = delete;

  // Binds and starts serving on a background thread; throws std::runtime_error on failure.
  void start();
  // Stops serving and joins (interrupting pending sleeps). Idempotent.
  void stop();
  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:<port>"

  void set_latency_ms(int ms) { latency_ms_ = ms; }
  // The next `times` requests that carry no x-mock-fault header get `spec`.
  void push_fault(const std::string& spec, int times = 1);
  void clear_faults();

  size_t request_count() const { return request_count_; }
  // The most requests being handled at once since start(): how parallel a client really was.
  size_t max_in_flight() const { return max_in_flight_; }
  size_t request_count(const std::string& api) const;
  std::vector<ReceivedRequest> requests() const;
  void clear_requests();

  class Impl;

 private:
  Options options_;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> latency_ms_{0};
  std::atomic<size_t> request_count_{0};
  std::atomic<size_t> in_flight_{0};
  std::atomic<size_t> max_in_flight_{0};
  int port_ = 0;
};

}  // namespace pipeline::testing

#endif  // PIPELINE_TESTS_MOCK_LLM_SERVER_HPP
