// API keys as they come from the environment, and every form of one that may come back in text
// that leaves the process. Shared by the host's redactor and the provider plugins. Header-only.
//
//   std::string key = pipeline::sdk::trim_secret(std::getenv("ANTHROPIC_API_KEY"));
//   std::vector<std::string> forms = pipeline::sdk::secret_forms(raw_value);
//   text = pipeline::sdk::redact_secret_forms(std::move(text), forms);
#pragma once

#include <pipeline/sdk/json_escape.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::sdk {

inline bool is_secret_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// A key pasted with a trailing newline or space is still that key: servers compare the bytes, and
// HTTP strips the whitespace around a header value anyway, so the untrimmed key would fail
// authentication and then be echoed back in a form that no longer matches it.
inline std::string trim_secret(std::string_view raw) {
  while (!raw.empty() && is_secret_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_secret_space(raw.back())) raw.remove_suffix(1);
  return std::string(raw);
}

namespace detail {

inline std::string percent_encoded(std::string_view s, bool plus_for_space, bool lower_hex) {
  const char* hex = lower_hex ? "0123456789abcdef" : "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += ch;
    } else if (c == ' ' && plus_for_space) {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace detail

// Every form of a secret that a server (or our own serializers) may echo: the value as read, the
// trimmed value, each percent-encoded (upper- and lower-case hex, '+' or %20 for spaces) and
// JSON-escaped. Longest first, so a form that contains another is replaced whole. Forms shorter
// than 4 characters are left out: redacting them would shred ordinary text.
inline std::vector<std::string> secret_forms(std::string_view raw) {
  std::vector<std::string> forms;
  auto add = [&](std::string f) {
    if (f.size() >= 4 && std::find(forms.begin(), forms.end(), f) == forms.end()) {
      forms.push_back(std::move(f));
    }
  };
  const std::string trimmed = trim_secret(raw);
  for (const std::string& v : {std::string(raw), trimmed}) {
    add(v);
    add(json_escape(v));  // as the value appears inside a JSON string
    for (bool plus : {false, true}) {
      for (bool lower : {false, true}) add(detail::percent_encoded(v, plus, lower));
    }
  }
  std::stable_sort(forms.begin(), forms.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return forms;
}

inline std::string redact_secret_forms(std::string text, const std::vector<std::string>& forms,
                                       std::string_view replacement = "[REDACTED]") {
  for (const std::string& f : forms) {
    if (f.empty()) continue;
    for (auto pos = text.find(f); pos != std::string::npos; pos = text.find(f, pos)) {
      text.replace(pos, f.size(), replacement);
      pos += replacement.size();
    }
  }
  return text;
}

}  // namespace pipeline::sdk
