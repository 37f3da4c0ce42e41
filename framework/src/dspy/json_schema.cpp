#include <pipeline/dspy/json_schema.hpp>

#include <re2/re2.h>

#include <cmath>

namespace pipeline::dspy {

namespace {

std::string kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "integer";
    case json::kind::double_:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "value";
}

bool has_type(const json::value& v, std::string_view t) {
  if (t == "number") return v.is_number();
  if (t == "integer") {
    if (v.is_int64() || v.is_uint64()) return true;
    return v.is_double() && std::floor(v.get_double()) == v.get_double();
  }
  return kind_name(v) == t;
}

double as_double(const json::value& v) {
  return v.to_number<double>();
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::optional<std::string> check(const json::value& schema, const json::value& v,
                                 const std::string& at, int depth) {
  if (depth > 64) return at + ": schema nested too deeply";
  if (schema.is_bool()) {
    if (schema.get_bool()) return std::nullopt;
    return at + ": no value is allowed here";
  }
  const auto* s = schema.if_object();
  if (!s) return std::nullopt;
  if (const auto* t = s->if_contains("type")) {
    bool ok = false;
    std::string wanted;
    if (t->is_string()) {
      ok = has_type(v, t->get_string());
      wanted = std::string(t->get_string());
    } else if (t->is_array()) {
      for (const auto& e : t->get_array()) {
        if (!e.is_string()) continue;
        wanted += (wanted.empty() ? "" : " or ") + std::string(e.get_string());
        ok = ok || has_type(v, e.get_string());
      }
    } else {
      ok = true;
    }
    if (!ok) return at + ": expected " + wanted + ", found " + kind_name(v);
  }
  if (const auto* e = s->if_contains("enum"); e && e->is_array()) {
    bool found = false;
    for (const auto& a : e->get_array()) found = found || a == v;
    if (!found) return at + ": " + serialize(v) + " is not one of " + serialize(*e);
  }
  if (const auto* c = s->if_contains("const"); c && *c != v)
    return at + ": expected " + serialize(*c) + ", found " + serialize(v);
  if (v.is_number()) {
    double d = as_double(v);
    if (const auto* m = s->if_contains("minimum"); m && m->is_number() && d < as_double(*m))
      return at + ": " + serialize(v) + " is below the minimum " + serialize(*m);
    if (const auto* m = s->if_contains("maximum"); m && m->is_number() && d > as_double(*m))
      return at + ": " + serialize(v) + " is above the maximum " + serialize(*m);
    if (const auto* m = s->if_contains("exclusiveMinimum");
        m && m->is_number() && d <= as_double(*m))
      return at + ": " + serialize(v) + " is not above " + serialize(*m);
    if (const auto* m = s->if_contains("exclusiveMaximum");
        m && m->is_number() && d >= as_double(*m))
      return at + ": " + serialize(v) + " is not below " + serialize(*m);
  }
  if (const auto* str = v.if_string()) {
    std::size_t len = utf8_length(*str);
    if (const auto* m = s->if_contains("minLength"); m && m->is_number() && len < as_double(*m))
      return at + ": shorter than " + serialize(*m) + " characters";
    if (const auto* m = s->if_contains("maxLength"); m && m->is_number() && len > as_double(*m))
      return at + ": longer than " + serialize(*m) + " characters";
    if (const auto* p = s->if_contains("pattern"); p && p->is_string()) {
      RE2 re(std::string(p->get_string()), RE2::Quiet);
      if (!re.ok()) return at + ": invalid pattern in schema: " + re.error();
      if (!RE2::PartialMatch(std::string_view(*str), re))
        return at + ": does not match the pattern " + serialize(*p);
    }
  }
  if (const auto* a = v.if_array()) {
    if (const auto* m = s->if_contains("minItems");
        m && m->is_number() && a->size() < as_double(*m))
      return at + ": fewer than " + serialize(*m) + " items";
    if (const auto* m = s->if_contains("maxItems");
        m && m->is_number() && a->size() > as_double(*m))
      return at + ": more than " + serialize(*m) + " items";
    if (const auto* items = s->if_contains("items")) {
      for (std::size_t i = 0; i < a->size(); ++i)
        if (auto p = check(*items, (*a)[i], at + "[" + std::to_string(i) + "]", depth + 1))
          return p;
    }
  }
  if (const auto* o = v.if_object()) {
    if (const auto* req = s->if_contains("required"); req && req->is_array()) {
      for (const auto& r : req->get_array())
        if (r.is_string() && !o->contains(r.get_string()))
          return at + ": missing required property '" + std::string(r.get_string()) + "'";
    }
    const json::object* props = nullptr;
    if (const auto* p = s->if_contains("properties")) props = p->if_object();
    const auto* additional = s->if_contains("additionalProperties");
    for (const auto& kv : *o) {
      std::string child = at + "." + std::string(kv.key());
      if (props && props->contains(kv.key())) {
        if (auto p = check(props->at(kv.key()), kv.value(), child, depth + 1)) return p;
      } else if (additional) {
        if (additional->is_bool() && !additional->get_bool())
          return at + ": property '" + std::string(kv.key()) + "' is not allowed";
        if (auto p = check(*additional, kv.value(), child, depth + 1)) return p;
      }
    }
  }
  if (const auto* all = s->if_contains("allOf"); all && all->is_array()) {
    for (const auto& sub : all->get_array())
      if (auto p = check(sub, v, at, depth + 1)) return p;
  }
  if (const auto* any = s->if_contains("anyOf"); any && any->is_array()) {
    std::optional<std::string> first;
    bool ok = false;
    for (const auto& sub : any->get_array()) {
      auto p = check(sub, v, at, depth + 1);
      if (!p) ok = true;
      if (p && !first) first = p;
    }
    if (!ok && first) return *first + " (no anyOf alternative matched)";
  }
  if (const auto* one = s->if_contains("oneOf"); one && one->is_array()) {
    int matches = 0;
    for (const auto& sub : one->get_array())
      if (!check(sub, v, at, depth + 1)) ++matches;
    if (matches != 1)
      return at + ": matches " + std::to_string(matches) +
             " oneOf alternatives, expected exactly 1";
  }
  if (const auto* n = s->if_contains("not"); n && !check(*n, v, at, depth + 1))
    return at + ": matches a schema it must not match";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> json_schema_violation(const json::value& schema,
                                                 const json::value& value) {
  return check(schema, value, "$", 0);
}

}  // namespace pipeline::dspy
