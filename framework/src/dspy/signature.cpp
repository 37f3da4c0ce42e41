#include <pipeline/dspy/signature.hpp>

#include <pipeline/cache/sha256.hpp>
#include <pipeline/config/source_map.hpp>
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/dspy/python_text.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace pipeline::dspy {

namespace {

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return is_upper(c) || is_lower(c);
}

// re.sub("(.)([A-Z][a-z]+)", r"\1_\2", s), scanning left to right without overlaps.
std::string split_before_capitalized_words(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 2 < s.size() && s[i] != '\n' && is_upper(s[i + 1]) && is_lower(s[i + 2])) {
      std::size_t j = i + 3;
      while (j < s.size() && is_lower(s[j])) ++j;
      out += s[i];
      out += '_';
      out.append(s.substr(i + 1, j - i - 1));
      i = j;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// re.sub("(A)(B)", r"\1_\2", s) for single-character classes A and B.
template <class First, class Second>
std::string split_pairs(std::string_view s, First first, Second second) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      out += s[i];
      out += '_';
      out += s[i + 1];
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

bool python_isupper(std::string_view w) {
  bool cased = false;
  for (char c : w) {
    if (is_lower(c)) return false;
    if (is_upper(c)) cased = true;
  }
  return cased;
}

std::string python_capitalize(std::string_view w) {
  std::string out(w);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(i == 0 ? std::toupper(static_cast<unsigned char>(out[i]))
                                      : std::tolower(static_cast<unsigned char>(out[i])));
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || is_digit(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
}

// Splits "a: list[str], b" at the commas outside brackets and quotes.
std::vector<std::string> split_top_level(std::string_view s) {
  std::vector<std::string> parts;
  int depth = 0;
  char quote = 0;
  std::string cur;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  parts.push_back(cur);
  return parts;
}

Result<std::vector<Field>> parse_field_list(std::string_view side) {
  std::vector<Field> fields;
  if (python_strip(side).empty()) return fields;
  for (const auto& part : split_top_level(side)) {
    std::string_view item = python_strip(part);
    if (item.empty()) return invalid_argument("empty field name in '" + std::string(side) + "'");
    auto colon = item.find(':');
    std::string name(python_strip(item.substr(0, colon)));
    if (!is_identifier(name)) return invalid_argument("invalid field name '" + name + "'");
    FieldType type;
    if (colon != std::string_view::npos) {
      auto t = parse_field_type(python_strip(item.substr(colon + 1)));
      if (!t) return invalid_argument("field '" + name + "': " + t.status().message());
      type = std::move(*t);
    }
    fields.push_back(make_field(name, std::move(type)));
  }
  return fields;
}

json::value field_json(const Field& f) {
  json::object o;
  o["name"] = f.name;
  o["type"] = f.type.to_json();
  o["desc"] = f.desc;
  if (f.schema) o["schema"] = *f.schema;
  return o;
}

bool is_scalar_value(const json::value& v) {
  return !v.is_object() && !v.is_array() && !v.is_null();
}

// A scalar as written (YAML's `desc: 12` is the text "12"); "" for anything else.
std::string scalar_or_empty(const json::value* v) {
  return v != nullptr && is_scalar_value(*v) ? to_text(*v) : std::string();
}

std::string kind_of(const json::value& v) {
  if (v.is_object()) return "a map";
  if (v.is_array()) return "a list";
  if (v.is_null()) return "nothing";
  return "'" + to_text(v) + "'";
}

// One entry of input_fields / output_fields.
std::optional<Field> field_from_json(const json::value& n, const SourceRef& at, bool is_output,
                                     Diagnostics& diags) {
  const char* list = is_output ? "output_fields" : "input_fields";
  if (is_scalar_value(n)) {
    const std::string text = to_text(n);
    auto parsed = parse_field_list(text);
    if (!parsed || parsed->size() != 1) {
      diags.error(at.where(), std::string(list) + ": '" + text +
                                  "' is not a field (write name or " +
                                  "name: type, or a map with name and type)" +
                                  (parsed ? "" : ": " + parsed.status().message()));
      return std::nullopt;
    }
    (*parsed)[0].where = at.where();
    return (*parsed)[0];
  }
  if (!n.is_object()) {
    diags.error(at.where(), std::string(list) + ": each field is a map, found " + kind_of(n));
    return std::nullopt;
  }
  const json::object& o = n.get_object();
  static const std::set<std::string> kInputKeys = {
      "name", "type", "description", "desc", "template", "prefix", "values", "enum_name"};
  static const std::set<std::string> kOutputKeys = {"name",   "type",   "description", "desc",
                                                    "schema", "prefix", "values",      "enum_name"};
  const auto& allowed = is_output ? kOutputKeys : kInputKeys;
  bool ok = true;
  for (const auto& kv : o) {
    const std::string key(kv.key());
    if (!allowed.count(key)) {
      std::string known;
      for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
      diags.error(at.key_where(key),
                  std::string(list) + ": unknown key '" + key + "' (known: " + known + ")");
      ok = false;
    }
  }
  std::string name = scalar_or_empty(o.if_contains("name"));
  if (!is_identifier(name)) {
    diags.error(at.key_where("name"),
                std::string(list) + ": " +
                    (name.empty() ? "a field needs a `name`"
                                  : "invalid field name '" + name + "' (letters, digits, _)"));
    return std::nullopt;
  }
  Field f = make_field(name);
  f.where = at.where();
  if (const auto* type = o.if_contains("type")) {
    std::string type_text = scalar_or_empty(type);
    if (type_text == "enum") {
      const auto* values = o.if_contains("values");
      if (values == nullptr || !values->is_array() || values->get_array().empty()) {
        diags.error(at.key_where("type"),
                    "field '" + name + "': `type: enum` needs `values: [...]` (a non-empty list)");
        ok = false;
      } else {
        f.type.kind = FieldType::Kind::kEnum;
        for (const auto& v : values->get_array())
          f.type.values.emplace_back(json::string(to_text(v)));
        f.type.enum_name = scalar_or_empty(o.if_contains("enum_name"));
        if (f.type.enum_name.empty()) f.type.enum_name = infer_prefix(name);
        f.type.enum_name.erase(std::remove(f.type.enum_name.begin(), f.type.enum_name.end(), ' '),
                               f.type.enum_name.end());
      }
    } else {
      auto t = parse_field_type(type_text);
      if (!t) {
        diags.error(at.child("type").where(), "field '" + name + "': " + t.status().message());
        ok = false;
      } else {
        f.type = std::move(*t);
      }
    }
  }
  for (const char* key : {"description", "desc"}) {
    if (const auto* v = o.if_contains(key)) f.desc = scalar_or_empty(v);
  }
  if (const auto* v = o.if_contains("prefix")) f.prefix = scalar_or_empty(v);
  if (const auto* v = o.if_contains("template")) f.value_template = scalar_or_empty(v);
  if (const auto* schema = o.if_contains("schema")) {
    if (!schema->is_object()) {
      diags.error(at.key_where("schema"),
                  "field '" + name + "': `schema` is a JSON Schema map, found " + kind_of(*schema));
      ok = false;
    } else {
      f.schema = *schema;
    }
  }
  if (!ok) return std::nullopt;
  return f;
}

}  // namespace

std::string Field::shown_description() const {
  return desc == "${" + name + "}" ? std::string() : desc;
}

Field make_field(std::string name, FieldType type) {
  Field f;
  f.desc = "${" + name + "}";
  f.prefix = infer_prefix(name) + ":";
  f.name = std::move(name);
  f.type = std::move(type);
  return f;
}

std::string infer_prefix(std::string_view name) {
  std::string s = split_before_capitalized_words(name);
  s = split_pairs(
      s, [](char c) { return is_lower(c) || is_digit(c); }, is_upper);
  s = split_pairs(s, is_alpha, is_digit);
  s = split_pairs(s, is_digit, is_alpha);
  std::string out;
  std::size_t start = 0;
  bool first = true;
  for (;;) {
    auto us = s.find('_', start);
    std::string_view word =
        std::string_view(s).substr(start, us == std::string::npos ? us : us - start);
    if (!first) out += ' ';
    first = false;
    out += python_isupper(word) ? std::string(word) : python_capitalize(word);
    if (us == std::string::npos) break;
    start = us + 1;
  }
  return out;
}

std::string default_instructions(const Signature& sig) {
  auto names = [](const std::vector<Field>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? ", `" : "`") + fields[i].name + "`";
    return out;
  };
  return "Given the fields " + names(sig.inputs) + ", produce the fields " + names(sig.outputs) +
         ".";
}

json::value Signature::canonical() const {
  json::object o;
  o["instructions"] = instructions;
  json::array in, out;
  for (const auto& f : inputs) in.push_back(field_json(f));
  for (const auto& f : outputs) out.push_back(field_json(f));
  o["inputs"] = std::move(in);
  o["outputs"] = std::move(out);
  return o;
}

std::string Signature::hash() const {
  return sha256_hex(canonical_json(canonical()));
}

const Field* Signature::output(std::string_view name) const {
  for (const auto& f : outputs)
    if (f.name == name) return &f;
  return nullptr;
}

const Field* Signature::input(std::string_view name) const {
  for (const auto& f : inputs)
    if (f.name == name) return &f;
  return nullptr;
}

std::string Signature::to_string() const {
  auto names = [](const std::vector<Field>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + fields[i].name;
    return out;
  };
  return names(inputs) + " -> " + names(outputs);
}

Result<Signature> parse_signature_string(std::string_view text,
                                         std::optional<std::string> instructions) {
  std::size_t arrows = 0;
  for (std::size_t p = text.find("->"); p != std::string_view::npos; p = text.find("->", p + 2))
    ++arrows;
  if (arrows != 1)
    return invalid_argument("Invalid signature format: '" + std::string(text) +
                            "', must contain exactly one '->'.");
  auto arrow = text.find("->");
  auto in = parse_field_list(text.substr(0, arrow));
  if (!in) return in.status();
  auto out = parse_field_list(text.substr(arrow + 2));
  if (!out) return out.status();
  std::set<std::string> seen;
  std::set<std::string> dups;
  for (const auto& f : *in) {
    if (!seen.insert(f.name).second)
      return invalid_argument("duplicate field name '" + f.name + "'");
  }
  std::set<std::string> out_names;
  for (const auto& f : *out) {
    if (seen.count(f.name)) dups.insert(f.name);
    if (!out_names.insert(f.name).second)
      return invalid_argument("duplicate field name '" + f.name + "'");
  }
  if (!dups.empty()) {
    std::string list;
    for (const auto& d : dups) list += (list.empty() ? "" : ", ") + d;
    return invalid_argument(
        "Input and output fields must have distinct names, but found duplicates: '" + list + "'.");
  }
  Signature sig;
  sig.inputs = std::move(*in);
  sig.outputs = std::move(*out);
  sig.instructions = instructions ? python_cleandoc(*instructions) : default_instructions(sig);
  return sig;
}

std::optional<Signature> signature_from_json(const json::value& node, const SourceRef& at,
                                             Diagnostics& diags) {
  if (is_scalar_value(node)) {
    auto sig = parse_signature_string(to_text(node));
    if (!sig) {
      diags.error(at.where(), "signature: " + sig.status().message());
      return std::nullopt;
    }
    return *sig;
  }
  if (!node.is_object()) {
    diags.error(at.where(),
                "signature: expected a map {instructions, input_fields, output_fields} or a string "
                "like \"question -> answer\", found " +
                    kind_of(node));
    return std::nullopt;
  }
  const json::object& o = node.get_object();
  std::size_t errors_before = diags.error_count();
  for (const auto& kv : o) {
    const std::string key(kv.key());
    if (key != "instructions" && key != "input_fields" && key != "output_fields")
      diags.error(at.key_where(key), "signature: unknown key '" + key +
                                         "' (known: instructions, input_fields, output_fields)");
  }
  Signature sig;
  std::set<std::string> names;
  for (bool is_output : {false, true}) {
    const char* key = is_output ? "output_fields" : "input_fields";
    const auto* list = o.if_contains(key);
    if (list == nullptr) {
      if (is_output) diags.error(at.where(), "signature: needs `output_fields`");
      continue;
    }
    if (!list->is_array()) {
      diags.error(at.key_where(key),
                  std::string("signature: `") + key + "` is a list, found " + kind_of(*list));
      continue;
    }
    const SourceRef list_at = at.child(key);
    for (std::size_t i = 0; i < list->get_array().size(); ++i) {
      auto f = field_from_json(list->get_array()[i], list_at.child(i), is_output, diags);
      if (!f) continue;
      if (!names.insert(f->name).second) {
        diags.error(f->where, "signature: field '" + f->name + "' is declared twice");
        continue;
      }
      (is_output ? sig.outputs : sig.inputs).push_back(std::move(*f));
    }
  }
  if (const auto* outs = o.if_contains("output_fields");
      outs && outs->is_array() && outs->get_array().empty())
    diags.error(at.key_where("output_fields"), "signature: needs at least one output field");
  if (diags.error_count() != errors_before) return std::nullopt;
  const auto* ins = o.if_contains("instructions");
  if (ins != nullptr && !is_scalar_value(*ins)) {
    diags.error(at.key_where("instructions"), "signature: `instructions` is text");
    return std::nullopt;
  }
  sig.instructions = ins != nullptr ? python_cleandoc(to_text(*ins)) : default_instructions(sig);
  return sig;
}

std::optional<Signature> signature_from_yaml(const YAML::Node& node, const std::string& file,
                                             Diagnostics& diags) {
  return signature_from_json(yaml_to_json(node), SourceRef(SourceMap::of(node, file)), diags);
}

}  // namespace pipeline::dspy
