// An incremental parser for server-sent events (the WHATWG "text/event-stream" format), fed with
// whatever byte chunks the network delivers.
//
//   SseParser p;
//   p.feed(chunk, [](const SseEvent& e) { use(e.event, e.data); });
//   if (p.has_partial_event()) { /* the stream was cut inside an event */ }
#ifndef PIPELINE_HTTP_COMMON_SSE_PARSER_HPP
#define PIPELINE_HTTP_COMMON_SSE_PARSER_HPP

#include <functional>
#include <string>
#include <string_view>

namespace pipeline::http {

struct SseEvent {
  std::string event;  // the "event:" field; empty means the default type "message"
  std::string data;   // "data:" lines joined by '\n'
  std::string id;
};

class SseParser {
 public:
  using Handler = std::function<void(const SseEvent&)>;

  // Parses `chunk` (any split, including inside a line or a CRLF pair) and calls `on_event` for
  // every event completed by it. Exceptions from on_event propagate; the parser stays usable.
  void feed(std::string_view chunk, const Handler& on_event);
  // True when bytes of an event not yet terminated by a blank line were seen.
  bool has_partial_event() const { return !line_.empty() || pending_fields_; }
  // Number of events dispatched so far.
  size_t events() const { return events_; }

 private:
  void take_line(std::string_view line, const Handler& on_event);

  std::string line_;
  SseEvent current_;
  bool has_data_ = false;
  bool pending_fields_ = false;
  bool skip_lf_ = false;  // the previous chunk ended in '\r': a leading '\n' belongs to it
  size_t events_ = 0;
};

}  // namespace pipeline::http

#endif  // PIPELINE_HTTP_COMMON_SSE_PARSER_HPP
