// One LLM API's wire format as the mock server speaks it: authentication, request checks, reply
// and error bodies, SSE events. Private to the mock server.
#ifndef PIPELINE_TESTS_MOCK_WIRE_FORMAT_HPP
#define PIPELINE_TESTS_MOCK_WIRE_FORMAT_HPP

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::testing {

// What the mock read from a request.
struct Prompt {
  std::string model;
  std::string last_user_text;
  int64_t input_words = 0;
  int64_t max_tokens = 1 << 30;
  bool stream = false;
  bool include_usage = false;  // OpenAI stream_options.include_usage
};

// The deterministic reply.
struct Reply {
  std::string id;
  std::string model;
  std::vector<std::string> pieces;  // the text, split for streaming (concatenation = text)
  std::string finish;               // "stop", "length" or "content_filter"
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  bool include_usage = false;
  std::string text() const {
    std::string t;
    for (const auto& p : pieces) t += p;
    return t;
  }
};

struct AuthCheck {
  bool ok = true;
  std::string message;  // for the 401 body
};

struct Headers {
  std::vector<std::pair<std::string, std::string>> items;
};

class WireFormat {
 public:
  virtual ~WireFormat() = default;
  virtual std::string_view name() const = 0;
  // Checks the key the request carries against `expected` ("" = no key needed).
  virtual AuthCheck check_auth(const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& expected) const = 0;
  // Checks the request like the real API; returns the 400 message, or nullopt when fine.
  // `stream_path` is true for Gemini's streamGenerateContent.
  virtual std::optional<std::string> validate(const boost::json::object& body,
                                              bool stream_path) const = 0;
  virtual Prompt read_prompt(const boost::json::object& body, std::string path_model,
                             bool stream_path) const = 0;
  // The provider's error body for `status`; `code` refines it (e.g. "context_length_exceeded").
  virtual std::string error_body(int status, std::string_view message,
                                 std::string_view code = {}) const = 0;
  virtual std::string reply_body(const Reply& r) const = 0;
  // Complete SSE frames; the stream ends after the last one.
  virtual std::vector<std::string> stream_events(const Reply& r) const = 0;
  // An SSE frame whose payload is not valid JSON.
  virtual std::string malformed_event() const = 0;
  virtual int overloaded_status() const = 0;
  // Extra reply headers (request ids).
  virtual Headers reply_headers(const Reply& r) const = 0;
  // Error bodies and headers for 429: a hint of `retry_after_ms`.
  virtual std::string rate_limit_body(int64_t retry_after_ms) const = 0;
  virtual bool retry_after_in_headers() const = 0;
  virtual std::string context_window_body() const = 0;
};

const WireFormat& anthropic_wire();
const WireFormat& gemini_wire();
const WireFormat& openai_wire();

std::string header_value(const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string_view lower_name);

}  // namespace pipeline::testing

#endif  // PIPELINE_TESTS_MOCK_WIRE_FORMAT_HPP
