// A small libcurl client for JSON POSTs with streaming bodies, made for LLM APIs: connection
// reuse across calls and threads, connect / first-byte / idle / total timeouts, cancellation
// through the call context, and a cap on the response size.
//
//   HttpClient client;                                  // one per provider instance; thread-safe
//   HttpResponse r = client.post(req, limits, ctx, sink);   // sink gets a 2xx body as it arrives
// Failures (timeouts, network errors, cancellation, oversize bodies) throw FailureError; an HTTP
// error status is NOT a failure here: it comes back in HttpResponse with its body.
#ifndef PIPELINE_HTTP_COMMON_HTTP_CLIENT_HPP
#define PIPELINE_HTTP_COMMON_HTTP_CLIENT_HPP

#include <pipeline/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::http {

struct TransferLimits {
  int64_t connect_timeout_ms = 10000;
  int64_t first_byte_timeout_ms = 60000;  // from sending the request to the first response byte
  int64_t idle_timeout_ms = 30000;        // longest silence once the response started (stalls)
  int64_t total_timeout_ms = 600000;      // one attempt, end to end
  size_t max_response_bytes = 16u << 20;
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;  // the whole body, unless it went to the sink (2xx with a sink)
  bool connection_reused = false;

  // The value of the first header named `lower_name`, or "" when absent.
  std::string_view header(std::string_view lower_name) const;
};

// Receives the body of a 2xx response chunk by chunk, on the calling thread. Return false to stop
// the transfer quietly; throw to stop it with that exception (rethrown by post()).
using BodySink = std::function<bool(std::string_view chunk)>;

class HttpClient {
 public:
  // `max_idle` bounds the transfers (each with its connection cache) kept for reuse.
  explicit HttpClient(size_t max_idle = 64);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // [thread] any thread, concurrently.
  HttpResponse post(const HttpRequest& request, const TransferLimits& limits,
                    const sdk::CallContext& ctx, const BodySink& sink = {});

  // Counters for tests and benchmarks.
  size_t idle_transfers() const;

  class Transfer;  // one easy handle inside its own multi handle (and connection cache)

 private:
  std::unique_ptr<Transfer> acquire();
  void release(std::unique_ptr<Transfer> t);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Transfer>> idle_;
  size_t max_idle_;
};

}  // namespace pipeline::http

#endif  // PIPELINE_HTTP_COMMON_HTTP_CLIENT_HPP
