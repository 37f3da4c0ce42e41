#include <pipeline/util/html_escape.hpp>
#include <pipeline/util/utf8.hpp>

namespace pipeline {

std::string html_escape(std::string_view text) {
  // Repaired first: a browser would otherwise resynchronize on a stray byte in its own way.
  const std::string valid = valid_utf8(text);
  std::string out;
  out.reserve(valid.size() + valid.size() / 8);
  for (char c : valid) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace pipeline
