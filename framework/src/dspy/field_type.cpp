#include <pipeline/dspy/field_type.hpp>

#include <pipeline/dspy/python_text.hpp>

#include <algorithm>
#include <cctype>

namespace pipeline::dspy {

namespace {

// How DSPy quotes a string inside Literal[...] (_quoted_string_for_literal_type_annotation).
std::string quote_literal(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  if (has_single && !has_double) return "\"" + std::string(s) + "\"";
  if (has_single && has_double) {
    std::string escaped;
    for (char c : s) {
      if (c == '\'') escaped += '\\';
      escaped += c;
    }
    return "'" + escaped + "'";
  }
  return "'" + std::string(s) + "'";
}

class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  Result<FieldType> parse_all() {
    auto t = parse_type();
    if (!t) return t;
    skip_space();
    if (pos_ != text_.size()) return error("unexpected '" + std::string(text_.substr(pos_)) + "'");
    return t;
  }

 private:
  Status error(const std::string& what) const {
    return invalid_argument("invalid type '" + std::string(text_) + "': " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string name() {
    skip_space();
    std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '_' || text_[pos_] == '.'))
      ++pos_;
    std::string n(text_.substr(start, pos_ - start));
    // typing.List, typing.Literal: the module prefix changes nothing.
    if (n.rfind("typing.", 0) == 0) n = n.substr(7);
    return n;
  }

  Result<json::value> literal_value() {
    skip_space();
    if (pos_ >= text_.size()) return error("missing Literal value");
    char q = text_[pos_];
    if (q == '\'' || q == '"') {
      ++pos_;
      std::string out;
      while (pos_ < text_.size() && text_[pos_] != q) {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        out += text_[pos_++];
      }
      if (pos_ >= text_.size()) return error("unterminated string in Literal");
      ++pos_;
      return json::value(json::string(out));
    }
    std::string word = name();
    if (word == "True") return json::value(true);
    if (word == "False") return json::value(false);
    if (word.empty() && pos_ < text_.size() && text_[pos_] == '-') {
      ++pos_;
      word = "-" + name();
    }
    if (!word.empty() && (std::isdigit(static_cast<unsigned char>(word.back())))) {
      try {
        std::size_t used = 0;
        long long n = std::stoll(word, &used);
        if (used == word.size()) return json::value(n);
      } catch (...) {
      }
    }
    return error("Literal values must be strings, integers or booleans, found '" + word + "'");
  }

  Result<FieldType> parse_type() {
    std::string n = name();
    if (n.empty()) return error("expected a type name");
    FieldType t;
    using K = FieldType::Kind;
    if (n == "str" || n == "string" || n == "text") {
      t.kind = K::kStr;
    } else if (n == "int" || n == "integer") {
      t.kind = K::kInt;
    } else if (n == "float" || n == "number") {
      t.kind = K::kFloat;
    } else if (n == "bool" || n == "boolean") {
      t.kind = K::kBool;
    } else if (n == "list" || n == "List" || n == "array") {
      t.kind = K::kList;
    } else if (n == "dict" || n == "Dict" || n == "object") {
      t.kind = K::kDict;
    } else if (n == "Literal") {
      t.kind = K::kLiteral;
    } else if (n == "Any") {
      t.kind = K::kAny;
    } else if (n == "enum") {
      return error(
          "an enum needs its values: write `type: enum` with `values: [...]`, or "
          "Literal['a', 'b']");
    } else {
      return error("unknown type '" + n +
                   "' (known: str, int, float, bool, list[T], dict[str, T], Literal[...], Any)");
    }
    if (!eat('[')) {
      if (t.kind == K::kLiteral) return error("Literal needs values, as in Literal['a', 'b']");
      return t;
    }
    if (t.kind == K::kLiteral) {
      do {
        auto v = literal_value();
        if (!v) return v.status();
        t.values.push_back(std::move(*v));
      } while (eat(','));
    } else if (t.kind == K::kList || t.kind == K::kDict) {
      do {
        auto a = parse_type();
        if (!a) return a;
        t.args.push_back(std::move(*a));
      } while (eat(','));
      if (t.kind == K::kList && t.args.size() != 1) return error("list takes one type, list[T]");
      if (t.kind == K::kDict && t.args.size() != 2)
        return error("dict takes two types, dict[str, T]");
      if (t.kind == K::kDict && !t.args[0].is_str())
        return error("only string keys are supported, dict[str, T]");
    } else {
      return error("'" + n + "' takes no type arguments");
    }
    if (!eat(']')) return error("missing ']'");
    return t;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

json::value literal_schema(const std::vector<json::value>& values) {
  // pydantic: one value is a const, several an enum; "type" when all share one JSON type.
  json::object s;
  bool all_strings =
      std::all_of(values.begin(), values.end(), [](auto& v) { return v.is_string(); });
  bool all_ints = std::all_of(values.begin(), values.end(), [](auto& v) { return v.is_int64(); });
  bool all_bools = std::all_of(values.begin(), values.end(), [](auto& v) { return v.is_bool(); });
  if (values.size() == 1) {
    s["const"] = values[0];
  } else {
    json::array e(values.begin(), values.end());
    s["enum"] = std::move(e);
  }
  if (all_strings)
    s["type"] = "string";
  else if (all_ints)
    s["type"] = "integer";
  else if (all_bools)
    s["type"] = "boolean";
  return s;
}

}  // namespace

Result<FieldType> parse_field_type(std::string_view text) {
  return TypeParser(text).parse_all();
}

std::string FieldType::annotation_name() const {
  switch (kind) {
    case Kind::kStr:
      return "str";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kBool:
      return "bool";
    case Kind::kAny:
      return "Any";
    case Kind::kEnum:
      return enum_name;
    case Kind::kList:
    case Kind::kDict: {
      std::string out = kind == Kind::kList ? "list" : "dict";
      if (args.empty()) return out;
      out += '[';
      for (std::size_t i = 0; i < args.size(); ++i) {
        if (i) out += ", ";
        out += args[i].annotation_name();
      }
      return out + "]";
    }
    case Kind::kLiteral: {
      std::string out = "Literal[";
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ", ";
        out +=
            values[i].is_string() ? quote_literal(values[i].get_string()) : python_repr(values[i]);
      }
      return out + "]";
    }
  }
  return "str";
}

json::value FieldType::json_schema() const {
  json::object s;
  switch (kind) {
    case Kind::kStr:
      s["type"] = "string";
      break;
    case Kind::kInt:
      s["type"] = "integer";
      break;
    case Kind::kFloat:
      s["type"] = "number";
      break;
    case Kind::kBool:
      s["type"] = "boolean";
      break;
    case Kind::kAny:
      break;
    case Kind::kList:
      s["type"] = "array";
      s["items"] = args.empty() ? json::value(json::object{}) : args[0].json_schema();
      break;
    case Kind::kDict:
      s["type"] = "object";
      if (args.empty() || args[1].kind == Kind::kAny)
        s["additionalProperties"] = true;
      else
        s["additionalProperties"] = args[1].json_schema();
      break;
    case Kind::kLiteral:
    case Kind::kEnum:
      return schema_type_first(literal_schema(values));
  }
  return schema_type_first(s);
}

json::value FieldType::to_json() const {
  if (kind == Kind::kEnum) {
    json::object o;
    o["enum"] = enum_name;
    o["values"] = json::array(values.begin(), values.end());
    return o;
  }
  return json::value(json::string(annotation_name()));
}

json::value schema_type_first(const json::value& schema) {
  if (const auto* a = schema.if_array()) {
    json::array out;
    for (const auto& e : *a) out.push_back(schema_type_first(e));
    return out;
  }
  const auto* o = schema.if_object();
  if (!o) return schema;
  std::vector<const json::key_value_pair*> items;
  for (const auto& kv : *o) items.push_back(&kv);
  std::sort(items.begin(), items.end(), [](auto* a, auto* b) {
    bool at = a->key() == "type", bt = b->key() == "type";
    if (at != bt) return at;
    return a->key() < b->key();
  });
  json::object out;
  for (const auto* kv : items) out[kv->key()] = schema_type_first(kv->value());
  return out;
}

}  // namespace pipeline::dspy
