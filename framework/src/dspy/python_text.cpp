#include <pipeline/dspy/python_text.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace pipeline::dspy {

std::string python_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  // Shortest round-trip digits in scientific form ("d.ddde+XX"), then laid out the way
  // float.__repr__ does.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = !sci.empty() && sci[0] == '-';
  if (negative) sci.erase(0, 1);
  auto e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else {
      auto int_len = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits + std::string(int_len - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, int_len) + "." + digits.substr(int_len);
      }
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  }
  return out;
}

namespace {

void dump_string(std::string_view s, std::string& out) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
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
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", c);
          out += esc;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void dump_scalar(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_: {
      double d = v.get_double();
      // json.dumps writes the non-finite floats as JavaScript names.
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d < 0 ? "-Infinity" : "Infinity";
      else
        out += python_float_repr(d);
      break;
    }
    case json::kind::string:
      dump_string(v.get_string(), out);
      break;
    default:
      break;
  }
}

void dump(const json::value& v, int indent, int level, std::string& out) {
  auto newline = [&](int lvl) {
    out += '\n';
    out.append(static_cast<std::size_t>(indent * lvl), ' ');
  };
  if (const auto* a = v.if_array()) {
    if (a->empty()) {
      out += "[]";
      return;
    }
    out += '[';
    bool first = true;
    for (const auto& e : *a) {
      if (!first) out += indent < 0 ? ", " : ",";
      first = false;
      if (indent >= 0) newline(level + 1);
      dump(e, indent, level + 1, out);
    }
    if (indent >= 0) newline(level);
    out += ']';
  } else if (const auto* o = v.if_object()) {
    if (o->empty()) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (const auto& kv : *o) {
      if (!first) out += indent < 0 ? ", " : ",";
      first = false;
      if (indent >= 0) newline(level + 1);
      dump_string(kv.key(), out);
      out += ": ";
      dump(kv.value(), indent, level + 1, out);
    }
    if (indent >= 0) newline(level);
    out += '}';
  } else {
    dump_scalar(v, out);
  }
}

// repr(str): single quotes unless the text holds a single quote and no double quote.
std::string repr_string(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char q = has_single && !has_double ? '"' : '\'';
  std::string out(1, q);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == q || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\x%02x", c);
      out += esc;
    } else {
      out += ch;
    }
  }
  out += q;
  return out;
}

}  // namespace

std::string python_json_dumps(const json::value& v, int indent) {
  std::string out;
  dump(v, indent, 0, out);
  return out;
}

std::string python_repr(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "None";
    case json::kind::bool_:
      return v.get_bool() ? "True" : "False";
    case json::kind::int64:
      return std::to_string(v.get_int64());
    case json::kind::uint64:
      return std::to_string(v.get_uint64());
    case json::kind::double_:
      return python_float_repr(v.get_double());
    case json::kind::string:
      return repr_string(v.get_string());
    case json::kind::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        out += python_repr(e);
      }
      return out + "]";
    }
    case json::kind::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ", ";
        first = false;
        out += repr_string(kv.key()) + ": " + python_repr(kv.value());
      }
      return out + "}";
    }
  }
  return {};
}

std::string python_str(const json::value& v) {
  if (const auto* s = v.if_string()) return std::string(*s);
  return python_repr(v);
}

namespace {
bool is_py_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
         (c >= '\x1c' && c <= '\x1f');
}
}  // namespace

std::string_view python_strip(std::string_view s) {
  while (!s.empty() && is_py_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_py_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> python_splitlines(std::string_view s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') {
      lines.emplace_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) lines.emplace_back(s.substr(start));
  return lines;
}

std::string python_cleandoc(std::string_view doc) {
  // Tabs expand to 8 columns first, as str.expandtabs() does.
  std::string expanded;
  std::size_t col = 0;
  for (char c : doc) {
    if (c == '\t') {
      std::size_t n = 8 - col % 8;
      expanded.append(n, ' ');
      col += n;
    } else {
      expanded += c;
      col = c == '\n' || c == '\r' ? 0 : col + 1;
    }
  }
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (;;) {
    auto nl = expanded.find('\n', start);
    lines.push_back(expanded.substr(start, nl == std::string::npos ? nl : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::size_t margin = std::string::npos;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto first = lines[i].find_first_not_of(' ');
    if (first != std::string::npos && first < margin) margin = first;
  }
  auto lead = lines[0].find_first_not_of(" \t\n\r\v\f");
  lines[0] = lead == std::string::npos ? "" : lines[0].substr(lead);
  if (margin != std::string::npos) {
    for (std::size_t i = 1; i < lines.size(); ++i)
      lines[i] = lines[i].size() > margin ? lines[i].substr(margin) : lines[i].substr(0, 0);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::size_t skip = 0;
  while (skip < lines.size() && lines[skip].empty()) ++skip;
  std::string out;
  for (std::size_t i = skip; i < lines.size(); ++i) {
    if (i > skip) out += '\n';
    out += lines[i];
  }
  return out;
}

}  // namespace pipeline::dspy
