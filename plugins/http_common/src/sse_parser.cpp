#include "http_common/sse_parser.hpp"

namespace pipeline::http {

void SseParser::feed(std::string_view chunk, const Handler& on_event) {
  size_t i = 0;
  if (skip_lf_ && !chunk.empty()) {
    skip_lf_ = false;
    if (chunk[0] == '\n') i = 1;
  }
  while (i < chunk.size()) {
    size_t end = chunk.find_first_of("\r\n", i);
    if (end == std::string_view::npos) {
      line_.append(chunk.substr(i));
      return;
    }
    // Lines are usually whole inside one chunk: avoid the copy in that case.
    if (line_.empty()) {
      take_line(chunk.substr(i, end - i), on_event);
    } else {
      line_.append(chunk.substr(i, end - i));
      std::string line = std::move(line_);
      line_.clear();
      take_line(line, on_event);
    }
    if (chunk[end] == '\r') {
      if (end + 1 < chunk.size()) {
        if (chunk[end + 1] == '\n') ++end;
      } else {
        skip_lf_ = true;
      }
    }
    i = end + 1;
  }
}

void SseParser::take_line(std::string_view line, const Handler& on_event) {
  if (line.empty()) {
    // A blank line dispatches the event; one without data is dropped, as the spec says.
    if (has_data_) {
      SseEvent ev = std::move(current_);
      ++events_;
      current_ = SseEvent{};
      has_data_ = false;
      pending_fields_ = false;
      on_event(ev);
    } else {
      current_ = SseEvent{};
      pending_fields_ = false;
    }
    return;
  }
  if (line[0] == ':') return;  // comment / keep-alive
  pending_fields_ = true;
  std::string_view field = line;
  std::string_view value;
  if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    current_.id.assign(value);
  }  // "retry" and unknown fields are ignored
}

}  // namespace pipeline::http
