// data_transform: a list goes through `operations` in order. Per-item conditions are the simple
// `field op literal` comparisons pipeline_ex's transformer understands (==, !=, >, <, >=, <=,
// contains), evaluated here without a round trip to the host per item.
#include "core_steps.hpp"

#include <pipeline/sdk/json_parse.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace core_steps {

namespace json = boost::json;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;
using pipeline::sdk::ExecutorScope;

namespace {

std::string str(const json::object& o, std::string_view k, std::string_view fb = {}) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fb);
}

const json::value* field_of(const json::value& item, std::string_view path) {
  const json::value* cur = &item;
  while (!path.empty() && cur) {
    auto dot = path.find('.');
    auto* o = cur->if_object();
    cur = o ? o->if_contains(path.substr(0, dot)) : nullptr;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return cur;
}

std::optional<double> num(const json::value& v) {
  if (v.is_number()) return v.to_number<double>();
  if (v.is_string()) {
    try {
      std::size_t used = 0;
      std::string s(v.get_string());
      double d = std::stod(s, &used);
      if (used == s.size()) return d;
    } catch (...) {
    }
  }
  return std::nullopt;
}

std::string text(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

json::value literal(std::string s) {
  auto trim = [](std::string t) {
    auto b = t.find_first_not_of(" \t"), e = t.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : t.substr(b, e - b + 1);
  };
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) {
    return json::value(s.substr(1, s.size() - 2));
  }
  if (s == "true" || s == "false") return s == "true";
  if (s == "null" || s == "nil") return nullptr;
  if (auto d = num(json::value(s))) return *d;
  return json::value(s);
}

struct Comparison {
  std::string field, op;
  json::value rhs;
};

Comparison parse_condition(const std::string& c) {
  static const char* kOps[] = {">=", "<=", "==", "!=", " contains ", ">", "<"};
  for (const char* op : kOps) {
    auto pos = c.find(op);
    if (pos == std::string::npos) continue;
    std::string f = c.substr(0, pos);
    f.erase(0, f.find_first_not_of(" \t"));
    f.erase(f.find_last_not_of(" \t") + 1);
    std::string o(op);
    o.erase(0, o.find_first_not_of(' '));
    o.erase(o.find_last_not_of(' ') + 1);
    return {f, o, literal(c.substr(pos + std::string(op).size()))};
  }
  throw Error(PL_INVALID_ARGUMENT, "data_transform: condition '" + c +
                                       "' is not 'field op value' (op: == != > < >= <= contains)");
}

bool holds(const Comparison& c, const json::value& item) {
  const json::value* l = field_of(item, c.field);
  if (l == nullptr) return c.op == "!=";
  if (c.op == "contains") return text(*l).find(text(c.rhs)) != std::string::npos;
  auto a = num(*l), b = num(c.rhs);
  int cmp;
  if (a && b)
    cmp = *a < *b ? -1 : *a > *b ? 1 : 0;
  else if (l->is_bool() || c.rhs.is_bool() || l->is_null() || c.rhs.is_null()) {
    bool eq = *l == c.rhs;
    if (c.op == "==") return eq;
    if (c.op == "!=") return !eq;
    return false;
  } else {
    std::string x = text(*l), y = text(c.rhs);
    cmp = x < y ? -1 : x > y ? 1 : 0;
  }
  if (c.op == "==") return cmp == 0;
  if (c.op == "!=") return cmp != 0;
  if (c.op == ">") return cmp > 0;
  if (c.op == "<") return cmp < 0;
  if (c.op == ">=") return cmp >= 0;
  return cmp <= 0;
}

const json::array& as_list(const json::value& v, const std::string& op) {
  if (!v.is_array()) {
    throw Error(PL_FAILED_PRECONDITION,
                "data_transform: '" + op + "' needs a list, found " +
                    (v.is_null() ? std::string("nothing") : json::serialize(v)));
  }
  return v.get_array();
}

json::value resolve_source(const json::value& src, const ExecutorScope& scope) {
  if (!src.is_string()) return src;
  json::value r =
      pipeline::sdk::parse_json(scope.evaluate(json::serialize(json::object{{"path", src}})));
  return r.as_object()["value"];
}

json::value apply(const json::object& op, json::value data, const ExecutorScope& scope) {
  const std::string name = str(op, "operation", str(op, "type"));
  const std::string field = str(op, "field");
  if (name == "filter") {
    Comparison c = parse_condition(str(op, "condition"));
    json::array out;
    for (const auto& item : as_list(data, name)) {
      if (holds(c, item)) out.push_back(item);
    }
    return out;
  }
  if (name == "map") {
    json::array out = as_list(data, name);
    const auto* mapping = op.if_contains("mapping");
    for (auto& item : out) {
      auto* o = item.if_object();
      if (!o || !mapping || !mapping->is_object()) continue;
      auto* v = o->if_contains(field);
      if (!v) continue;
      if (auto* to = mapping->get_object().if_contains(text(*v))) *v = *to;
    }
    return out;
  }
  if (name == "aggregate") {
    const std::string fn = str(op, "function", "sum");
    const auto& list = as_list(data, name);
    std::vector<double> xs;
    for (const auto& item : list) {
      const json::value* v = field.empty() ? &item : field_of(item, field);
      if (auto d = v ? num(*v) : std::nullopt) xs.push_back(*d);
    }
    if (fn == "count") return static_cast<int64_t>(list.size());
    if (xs.empty()) return nullptr;
    double sum = 0;
    for (double x : xs) sum += x;
    bool integral = std::all_of(xs.begin(), xs.end(), [](double x) { return x == std::floor(x); });
    auto typed = [&](double v) -> json::value {
      if (integral && std::fabs(v) < 9e15) return static_cast<int64_t>(v);
      return v;
    };
    if (fn == "sum") return typed(sum);
    if (fn == "average" || fn == "avg" || fn == "mean") return sum / static_cast<double>(xs.size());
    if (fn == "min") return typed(*std::min_element(xs.begin(), xs.end()));
    if (fn == "max") return typed(*std::max_element(xs.begin(), xs.end()));
    throw Error(PL_INVALID_ARGUMENT, "data_transform: unknown aggregate function '" + fn +
                                         "' (sum, average, count, min, max)");
  }
  if (name == "join") {
    const std::string left = str(op, "left_field"), key = str(op, "join_key", left);
    json::value right =
        resolve_source(op.contains("right_source") ? op.at("right_source") : json::value(), scope);
    std::unordered_map<std::string, const json::object*> index;  // O(n + m), not O(n * m)
    if (right.is_array()) {
      for (const auto& r : right.get_array()) {
        if (const auto* v = field_of(r, key); v && r.is_object())
          index.emplace(text(*v), &r.get_object());
      }
    }
    json::array out;
    for (const auto& item : as_list(data, name)) {
      json::value merged = item;
      const auto* l = field_of(item, left);
      if (auto it = l ? index.find(text(*l)) : index.end();
          it != index.end() && merged.is_object()) {
        for (const auto& kv : *it->second) {
          if (!merged.get_object().contains(kv.key())) merged.get_object()[kv.key()] = kv.value();
        }
      }
      out.push_back(std::move(merged));
    }
    return out;
  }
  if (name == "group_by") {
    json::object out;
    for (const auto& item : as_list(data, name)) {
      const auto* v = field_of(item, field);
      auto& bucket = out[v ? text(*v) : std::string("null")];
      if (!bucket.is_array()) bucket = json::array();
      bucket.get_array().push_back(item);
    }
    return out;
  }
  if (name == "sort") {
    json::array out = as_list(data, name);
    bool desc = str(op, "order", "asc") == "desc";
    std::stable_sort(out.begin(), out.end(), [&](const json::value& a, const json::value& b) {
      const auto* x = field_of(a, field);
      const auto* y = field_of(b, field);
      if (!x || !y) return x != nullptr && y == nullptr;  // missing fields last
      auto nx = num(*x), ny = num(*y);
      bool less = nx && ny ? *nx < *ny : text(*x) < text(*y);
      bool greater = nx && ny ? *nx > *ny : text(*x) > text(*y);
      return desc ? greater : less;
    });
    return out;
  }
  throw Error(PL_INVALID_ARGUMENT, "data_transform: unknown operation '" + name +
                                       "' (filter, map, aggregate, join, group_by, sort)");
}

}  // namespace

std::string DataTransformStep::execute(const CallContext& ctx, std::string_view input_json) {
  json::value input = pipeline::sdk::parse_json(input_json);
  const auto& step = input.as_object().at("step").as_object();
  ExecutorScope scope(host(), ctx);
  const json::value* src = step.if_contains("input_source");
  if (src == nullptr) throw Error(PL_INVALID_ARGUMENT, "data_transform needs 'input_source'");
  json::value data = resolve_source(*src, scope);
  if (data.is_null()) {
    throw Error(PL_FAILED_PRECONDITION, "data_transform: input_source " + json::serialize(*src) +
                                            " has no value (is the step before it a JSON result?)");
  }
  if (const auto* ops = step.if_contains("operations"); ops && ops->is_array()) {
    for (const auto& op : ops->get_array()) {
      if (op.is_object()) data = apply(op.get_object(), std::move(data), scope);
    }
  }
  json::object out{{"output", data}};
  // output_field: pipeline_ex makes the data readable under that name (previous_response:name).
  if (auto name = str(step, "output_field"); !name.empty()) {
    out["set_variables"] = json::object{{name, data}};
  }
  return json::serialize(out);
}

std::string DataTransformStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  const auto& step = v.as_object();
  json::array d;
  auto add = [&](std::string field, std::string msg) {
    d.push_back(json::object{{"field", field}, {"message", msg}, {"severity", "error"}});
  };
  if (!step.contains("input_source")) add("input_source", "data_transform needs 'input_source'");
  const auto* ops = step.if_contains("operations");
  if (ops == nullptr || !ops->is_array()) {
    add("operations", "data_transform needs an 'operations' list");
    return json::serialize(d);
  }
  static const std::set<std::string> kOps = {"filter", "map",      "aggregate",
                                             "join",   "group_by", "sort"};
  for (const auto& op : ops->get_array()) {
    std::string name =
        op.is_object() ? str(op.get_object(), "operation", str(op.get_object(), "type")) : "";
    if (!kOps.count(name)) {
      add("operations",
          "unknown operation '" + name + "' (filter, map, aggregate, join, group_by, sort)");
      continue;
    }
    if (name == "filter") {
      try {
        parse_condition(str(op.get_object(), "condition"));
      } catch (const Error& e) {
        add("operations", e.what());
      }
    }
  }
  return json::serialize(d);
}

}  // namespace core_steps
