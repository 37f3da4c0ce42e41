#include <pipeline/engine/condition.hpp>

#include <cctype>

namespace pipeline {

namespace {

template <class Leaf>
Result<bool> walk(const json::value& c, const Leaf& leaf) {
  if (c.is_bool()) return c.get_bool();
  if (c.is_string()) return leaf(std::string_view(c.get_string()));
  if (const auto* o = c.if_object(); o && o->size() == 1) {
    const auto& [key, arg] = *o->begin();
    if (key == "not") {
      auto r = walk(arg, leaf);
      if (!r) return r;
      return !*r;
    }
    if ((key == "and" || key == "or") && arg.is_array()) {
      bool is_and = key == "and";
      bool acc = is_and;
      for (const auto& e : arg.get_array()) {
        auto r = walk(e, leaf);
        if (!r) return r;
        acc = is_and ? (acc && *r) : (acc || *r);
      }
      return acc;
    }
  }
  return invalid_argument(
      "a condition is an expression string, true/false, or a map with one of "
      "and: [...], or: [...], not: ...; found " +
      json::serialize(c));
}

// pipeline_ex workflows sometimes wrap a whole condition in {{ }}; the braces add nothing.
std::string_view unwrap(std::string_view text) {
  auto trim = [](std::string_view t) {
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    return t;
  };
  text = trim(text);
  if (text.size() >= 4 && text.substr(0, 2) == "{{" && text.substr(text.size() - 2) == "}}" &&
      text.find("{{", 2) == std::string_view::npos) {
    return trim(text.substr(2, text.size() - 4));
  }
  return text;
}

}  // namespace

Result<bool> evaluate_condition(const json::value& condition, const PathResolver& resolve,
                                const std::function<void(std::string_view)>& on_unknown,
                                const CancelCheck& cancelled) {
  return walk(condition, [&](std::string_view text) -> Result<bool> {
    auto e = Expression::parse(unwrap(text));
    if (!e)
      return invalid_argument("condition '" + shorten_for_message(text) +
                              "': " + e.status().message());
    auto v = e->evaluate(resolve, on_unknown, cancelled);
    if (!v && v.status().code() == StatusCode::kCancelled) return v.status();
    if (!v)
      return invalid_argument("condition '" + shorten_for_message(text) +
                              "': " + v.status().message());
    return truthy(*v);
  });
}

Status check_condition(const json::value& condition) {
  auto r = walk(condition, [](std::string_view text) -> Result<bool> {
    auto e = Expression::parse(unwrap(text));
    if (!e)
      return invalid_argument("condition '" + shorten_for_message(text) +
                              "': " + e.status().message());
    return true;
  });
  return r.status();
}

}  // namespace pipeline
