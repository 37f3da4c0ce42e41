#include <pipeline/dspy/signature.hpp>

#include <pipeline/cache/sha256.hpp>
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

std::string scalar_or_empty(const YAML::Node& n) {
  return n.IsDefined() && n.IsScalar() ? n.Scalar() : std::string();
}

// One entry of input_fields / output_fields.
std::optional<Field> field_from_yaml(const YAML::Node& n, bool is_output, const std::string& file,
                                     Diagnostics& diags) {
  const char* list = is_output ? "output_fields" : "input_fields";
  if (n.IsScalar()) {
    auto parsed = parse_field_list(n.Scalar());
    if (!parsed || parsed->size() != 1) {
      diags.error(location_of(n, file), std::string(list) + ": '" + n.Scalar() +
                                            "' is not a field (write name or " +
                                            "name: type, or a map with name and type)" +
                                            (parsed ? "" : ": " + parsed.status().message()));
      return std::nullopt;
    }
    (*parsed)[0].where = location_of(n, file);
    return (*parsed)[0];
  }
  if (!n.IsMap()) {
    diags.error(location_of(n, file),
                std::string(list) + ": each field is a map, found " + yaml_kind(n));
    return std::nullopt;
  }
  static const std::set<std::string> kInputKeys = {
      "name", "type", "description", "desc", "template", "prefix", "values", "enum_name"};
  static const std::set<std::string> kOutputKeys = {"name",   "type",   "description", "desc",
                                                    "schema", "prefix", "values",      "enum_name"};
  const auto& allowed = is_output ? kOutputKeys : kInputKeys;
  bool ok = true;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    if (!allowed.count(key)) {
      std::string known;
      for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
      diags.error(location_of(kv.first, file),
                  std::string(list) + ": unknown key '" + key + "' (known: " + known + ")");
      ok = false;
    }
  }
  std::string name = scalar_or_empty(n["name"]);
  if (!is_identifier(name)) {
    diags.error(key_location(n, "name", file),
                std::string(list) + ": " +
                    (name.empty() ? "a field needs a `name`"
                                  : "invalid field name '" + name + "' (letters, digits, _)"));
    return std::nullopt;
  }
  Field f = make_field(name);
  f.where = location_of(n, file);
  if (n["type"].IsDefined()) {
    std::string type_text = scalar_or_empty(n["type"]);
    if (type_text == "enum") {
      const auto& values = n["values"];
      if (!values.IsDefined() || !values.IsSequence() || values.size() == 0) {
        diags.error(key_location(n, "type", file),
                    "field '" + name + "': `type: enum` needs `values: [...]` (a non-empty list)");
        ok = false;
      } else {
        f.type.kind = FieldType::Kind::kEnum;
        for (const auto& v : values) f.type.values.emplace_back(json::string(v.Scalar()));
        f.type.enum_name = scalar_or_empty(n["enum_name"]);
        if (f.type.enum_name.empty()) f.type.enum_name = infer_prefix(name);
        f.type.enum_name.erase(std::remove(f.type.enum_name.begin(), f.type.enum_name.end(), ' '),
                               f.type.enum_name.end());
      }
    } else {
      auto t = parse_field_type(type_text);
      if (!t) {
        diags.error(location_of(n["type"], file), "field '" + name + "': " + t.status().message());
        ok = false;
      } else {
        f.type = std::move(*t);
      }
    }
  }
  for (const char* key : {"description", "desc"}) {
    if (n[key].IsDefined()) f.desc = scalar_or_empty(n[key]);
  }
  if (n["prefix"].IsDefined()) f.prefix = scalar_or_empty(n["prefix"]);
  if (n["template"].IsDefined()) f.value_template = scalar_or_empty(n["template"]);
  if (n["schema"].IsDefined()) {
    if (!n["schema"].IsMap()) {
      diags.error(
          key_location(n, "schema", file),
          "field '" + name + "': `schema` is a JSON Schema map, found " + yaml_kind(n["schema"]));
      ok = false;
    } else {
      f.schema = yaml_to_json(n["schema"]);
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

std::optional<Signature> signature_from_yaml(const YAML::Node& node, const std::string& file,
                                             Diagnostics& diags) {
  if (node.IsScalar()) {
    auto sig = parse_signature_string(node.Scalar());
    if (!sig) {
      diags.error(location_of(node, file), "signature: " + sig.status().message());
      return std::nullopt;
    }
    return *sig;
  }
  if (!node.IsMap()) {
    diags.error(location_of(node, file),
                "signature: expected a map {instructions, input_fields, output_fields} or a string "
                "like \"question -> answer\", found " +
                    yaml_kind(node));
    return std::nullopt;
  }
  std::size_t errors_before = diags.error_count();
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key != "instructions" && key != "input_fields" && key != "output_fields")
      diags.error(location_of(kv.first, file),
                  "signature: unknown key '" + key +
                      "' (known: instructions, input_fields, output_fields)");
  }
  Signature sig;
  std::set<std::string> names;
  for (bool is_output : {false, true}) {
    const char* key = is_output ? "output_fields" : "input_fields";
    const auto& list = node[key];
    if (!list.IsDefined()) {
      if (is_output) diags.error(location_of(node, file), "signature: needs `output_fields`");
      continue;
    }
    if (!list.IsSequence()) {
      diags.error(key_location(node, key, file),
                  std::string("signature: `") + key + "` is a list, found " + yaml_kind(list));
      continue;
    }
    for (const auto& item : list) {
      auto f = field_from_yaml(item, is_output, file, diags);
      if (!f) continue;
      if (!names.insert(f->name).second) {
        diags.error(f->where, "signature: field '" + f->name + "' is declared twice");
        continue;
      }
      (is_output ? sig.outputs : sig.inputs).push_back(std::move(*f));
    }
  }
  if (node["output_fields"].IsDefined() && node["output_fields"].IsSequence() &&
      node["output_fields"].size() == 0)
    diags.error(key_location(node, "output_fields", file),
                "signature: needs at least one output field");
  if (diags.error_count() != errors_before) return std::nullopt;
  const auto& ins = node["instructions"];
  if (ins.IsDefined() && !ins.IsScalar()) {
    diags.error(key_location(node, "instructions", file), "signature: `instructions` is text");
    return std::nullopt;
  }
  sig.instructions = ins.IsDefined() ? python_cleandoc(ins.Scalar()) : default_instructions(sig);
  return sig;
}

}  // namespace pipeline::dspy
