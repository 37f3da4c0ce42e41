// JSON string escaping for documents built by hand (error documents, redaction forms). Header
// only, so plugins and the host share it without linking anything.
#pragma once

#include <string>
#include <string_view>

namespace pipeline::sdk {

// Escapes a string for inclusion in a JSON string literal (for error documents built by hand).
inline std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace pipeline::sdk
