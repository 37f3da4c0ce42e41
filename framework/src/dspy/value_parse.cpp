#include <pipeline/dspy/value_parse.hpp>

#include <pipeline/dspy/python_text.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace pipeline::dspy {

namespace {

// A forgiving reader for JSON and Python literals. In repair mode it closes what the text left
// open and drops trailing commas, as json_repair does; in literal mode it must consume the whole
// text, as ast.literal_eval does.
class LenientReader {
 public:
  LenientReader(std::string_view text, bool literal_mode) : s_(text), literal_(literal_mode) {}

  std::optional<json::value> read_all() {
    skip_space();
    auto v = value();
    if (!v || failed_) return std::nullopt;
    skip_space();
    if (literal_ && pos_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }

  std::optional<json::value> value() {
    if (++depth_ > 64) {
      failed_ = true;
      return std::nullopt;
    }
    skip_space();
    std::optional<json::value> out;
    char c = peek();
    if (c == '{')
      out = object();
    else if (c == '[' || (literal_ && c == '('))
      out = array(c == '[' ? ']' : ')');
    else if (c == '"' || c == '\'')
      out = string();
    else if (c == '-' || c == '+' || c == '.' || std::isdigit(static_cast<unsigned char>(c)))
      out = number();
    else
      out = word();
    --depth_;
    return out;
  }

  std::optional<json::value> object() {
    ++pos_;
    json::object o;
    for (;;) {
      skip_space();
      if (at_end()) {
        if (literal_) return std::nullopt;
        return json::value(std::move(o));  // unclosed: json_repair closes it
      }
      if (peek() == '}') {
        ++pos_;
        return json::value(std::move(o));
      }
      std::optional<json::value> key;
      if (peek() == '"' || peek() == '\'') {
        key = string();
      } else if (!literal_) {
        // json_repair reads unquoted keys up to the colon.
        std::size_t start = pos_;
        while (!at_end() && peek() != ':' && peek() != '}') ++pos_;
        key = json::value(json::string(python_strip(s_.substr(start, pos_ - start))));
      } else {
        key = value();
        if (key && !key->is_string()) key = json::value(json::string(python_str(*key)));
      }
      if (!key || !key->is_string()) return std::nullopt;
      skip_space();
      if (peek() != ':') return literal_ ? std::nullopt : std::optional(json::value(std::move(o)));
      ++pos_;
      auto v = value();
      if (!v) return std::nullopt;
      o[key->get_string()] = std::move(*v);
      skip_space();
      if (peek() == ',') ++pos_;
    }
  }

  std::optional<json::value> array(char close) {
    ++pos_;
    json::array a;
    for (;;) {
      skip_space();
      if (at_end()) {
        if (literal_) return std::nullopt;
        return json::value(std::move(a));
      }
      if (peek() == close) {
        ++pos_;
        return json::value(std::move(a));
      }
      auto v = value();
      if (!v) return std::nullopt;
      a.push_back(std::move(*v));
      skip_space();
      if (peek() == ',') ++pos_;
    }
  }

  std::optional<json::value> string() {
    char q = s_[pos_++];
    std::string out;
    while (!at_end() && peek() != q) {
      char c = s_[pos_++];
      if (c != '\\' || at_end()) {
        out += c;
        continue;
      }
      char e = s_[pos_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return std::nullopt;
          unsigned cp = 0;
          auto r = std::from_chars(s_.data() + pos_, s_.data() + pos_ + 4, cp, 16);
          if (r.ptr != s_.data() + pos_ + 4) return std::nullopt;
          pos_ += 4;
          if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 6 <= s_.size() && s_[pos_] == '\\' &&
              s_[pos_ + 1] == 'u') {
            unsigned lo = 0;
            auto r2 = std::from_chars(s_.data() + pos_ + 2, s_.data() + pos_ + 6, lo, 16);
            if (r2.ptr == s_.data() + pos_ + 6 && lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              pos_ += 6;
            }
          }
          append_utf8(cp, out);
          break;
        }
        default:
          out += e;
      }
    }
    if (at_end()) {
      if (literal_) return std::nullopt;
    } else {
      ++pos_;
    }
    return json::value(json::string(out));
  }

  static void append_utf8(unsigned cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::optional<json::value> number() {
    std::size_t start = pos_;
    if (peek() == '-' || peek() == '+') ++pos_;
    while (!at_end() &&
           (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == 'e' ||
            peek() == 'E' || peek() == '_' ||
            ((peek() == '-' || peek() == '+') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E'))))
      ++pos_;
    std::string text(s_.substr(start, pos_ - start));
    text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
    if (!text.empty() && text[0] == '+') text.erase(0, 1);
    bool is_float = text.find_first_of(".eE") != std::string::npos;
    if (!is_float) {
      long long n = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), n);
      if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return json::value(n);
    }
    double d = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), d);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
    return json::value(d);
  }

  std::optional<json::value> word() {
    std::size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')) ++pos_;
    std::string_view w = s_.substr(start, pos_ - start);
    if (w == "True" || (!literal_ && w == "true")) return json::value(true);
    if (w == "False" || (!literal_ && w == "false")) return json::value(false);
    if (w == "None" || (!literal_ && w == "null")) return json::value(nullptr);
    return std::nullopt;
  }

  std::string_view s_;
  bool literal_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  bool failed_ = false;
};

Status type_error(const FieldType& type, const std::string& what, const json::value& input) {
  return invalid_argument("1 validation error for " + type.annotation_name() + "\n  " + what +
                          " [input_value=" + python_repr(input) + "]");
}

bool literal_contains(const FieldType& type, const json::value& v) {
  return std::any_of(type.values.begin(), type.values.end(), [&](const json::value& a) {
    // Python: 1 == True, so compare the way `in` does for the kinds we allow.
    return a == v;
  });
}

std::string allowed_repr(const FieldType& type) {
  std::string out = "(";
  for (std::size_t i = 0; i < type.values.size(); ++i) {
    if (i) out += ", ";
    out += python_repr(type.values[i]);
  }
  if (type.values.size() == 1) out += ",";
  return out + ")";
}

std::optional<long long> integral(double d) {
  if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.2e18) return std::nullopt;
  return static_cast<long long>(d);
}

}  // namespace

std::optional<json::value> repair_json(std::string_view text) {
  // json_repair's top level only starts a document at '{' or '['; text before it is skipped.
  auto start = text.find_first_of("{[");
  if (start == std::string_view::npos) return std::nullopt;
  return LenientReader(text.substr(start), false).read_all();
}

std::optional<json::value> python_literal(std::string_view text) {
  return LenientReader(python_strip(text), true).read_all();
}

Result<json::value> validate_value(const json::value& value, const FieldType& type) {
  using K = FieldType::Kind;
  switch (type.kind) {
    case K::kAny:
      return value;
    case K::kStr:
      if (value.is_string()) return value;
      return type_error(type, "Input should be a valid string", value);
    case K::kInt: {
      if (value.is_int64() || value.is_uint64()) return value;
      if (value.is_bool()) return json::value(value.get_bool() ? 1 : 0);
      if (value.is_double()) {
        if (auto n = integral(value.get_double())) return json::value(*n);
        return type_error(
            type, "Input should be a valid integer, got a number with a fractional part", value);
      }
      if (value.is_string()) {
        std::string_view s = python_strip(value.get_string());
        long long n = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), n);
        if (!s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size())
          return json::value(n);
        double d = 0;
        auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
        if (!s.empty() && rd.ec == std::errc() && rd.ptr == s.data() + s.size())
          if (auto i = integral(d)) return json::value(*i);
        return type_error(
            type, "Input should be a valid integer, unable to parse string as an integer", value);
      }
      return type_error(type, "Input should be a valid integer", value);
    }
    case K::kFloat: {
      if (value.is_double()) return value;
      if (value.is_int64()) return json::value(static_cast<double>(value.get_int64()));
      if (value.is_uint64()) return json::value(static_cast<double>(value.get_uint64()));
      if (value.is_bool()) return json::value(value.get_bool() ? 1.0 : 0.0);
      if (value.is_string()) {
        std::string_view s = python_strip(value.get_string());
        double d = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (!s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size())
          return json::value(d);
        return type_error(
            type, "Input should be a valid number, unable to parse string as a number", value);
      }
      return type_error(type, "Input should be a valid number", value);
    }
    case K::kBool: {
      if (value.is_bool()) return value;
      if (value.is_int64() && (value.get_int64() == 0 || value.get_int64() == 1))
        return json::value(value.get_int64() == 1);
      if (value.is_double() && (value.get_double() == 0.0 || value.get_double() == 1.0))
        return json::value(value.get_double() == 1.0);
      if (value.is_string()) {
        std::string s(python_strip(value.get_string()));
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        for (const char* t : {"1", "on", "t", "true", "y", "yes"})
          if (s == t) return json::value(true);
        for (const char* f : {"0", "off", "f", "false", "n", "no"})
          if (s == f) return json::value(false);
        return type_error(type, "Input should be a valid boolean, unable to interpret input",
                          value);
      }
      return type_error(type, "Input should be a valid boolean", value);
    }
    case K::kList: {
      if (!value.is_array()) return type_error(type, "Input should be a valid list", value);
      if (type.args.empty()) return value;
      json::array out;
      for (const auto& e : value.get_array()) {
        auto v = validate_value(e, type.args[0]);
        if (!v) return v;
        out.push_back(std::move(*v));
      }
      return json::value(std::move(out));
    }
    case K::kDict: {
      if (!value.is_object()) return type_error(type, "Input should be a valid dictionary", value);
      if (type.args.empty()) return value;
      json::object out;
      for (const auto& kv : value.get_object()) {
        auto v = validate_value(kv.value(), type.args[1]);
        if (!v) return v;
        out[kv.key()] = std::move(*v);
      }
      return json::value(std::move(out));
    }
    case K::kLiteral:
    case K::kEnum:
      if (literal_contains(type, value)) return value;
      return type_error(type, "Input should be " + allowed_repr(type), value);
  }
  return value;
}

Result<json::value> parse_field_value(const json::value& value, const FieldType& type) {
  using K = FieldType::Kind;
  if (type.kind == K::kStr) return json::value(json::string(python_str(value)));
  if (type.kind == K::kEnum) {
    // find_enum_member: a member's value first (our members are named by their values).
    if (literal_contains(type, value)) return value;
    return invalid_argument(python_str(value) + " is not a valid name or value for the enum " +
                            type.enum_name);
  }
  if (type.kind == K::kLiteral) {
    if (literal_contains(type, value)) return value;
    if (value.is_string()) {
      std::string v(python_strip(value.get_string()));
      if ((v.rfind("Literal[", 0) == 0 || v.rfind("str[", 0) == 0) && v.back() == ']')
        v = v.substr(v.find('[') + 1, v.size() - v.find('[') - 2);
      if (v.size() > 1 && v.front() == v.back() && (v.front() == '"' || v.front() == '\''))
        v = v.substr(1, v.size() - 2);
      if (literal_contains(type, json::value(json::string(v)))) return json::value(json::string(v));
    }
    return invalid_argument(python_repr(value) + " is not one of " + allowed_repr(type));
  }
  if (!value.is_string()) return validate_value(value, type);
  std::string_view text = value.get_string();
  json::value candidate;
  if (auto repaired = repair_json(text)) {
    candidate = std::move(*repaired);
  } else if (auto lit = python_literal(text); lit && !text.empty()) {
    candidate = std::move(*lit);
  } else {
    candidate = value;
  }
  return validate_value(candidate, type);
}

}  // namespace pipeline::dspy
