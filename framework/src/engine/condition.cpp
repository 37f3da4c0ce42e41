#include <pipeline/engine/condition.hpp>

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
  return invalid_argument("a condition is an expression string, true/false, or a map with one of "
                          "and: [...], or: [...], not: ...; found " +
                          json::serialize(c));
}

}  // namespace

Result<bool> evaluate_condition(const json::value& condition, const PathResolver& resolve,
                                const std::function<void(std::string_view)>& on_unknown) {
  return walk(condition, [&](std::string_view text) -> Result<bool> {
    auto e = Expression::parse(text);
    if (!e) return invalid_argument("condition '" + std::string(text) + "': " + e.status().message());
    auto v = e->evaluate(resolve, on_unknown);
    if (!v) return invalid_argument("condition '" + std::string(text) + "': " + v.status().message());
    return truthy(*v);
  });
}

Status check_condition(const json::value& condition) {
  auto r = walk(condition, [](std::string_view text) -> Result<bool> {
    auto e = Expression::parse(text);
    if (!e) return invalid_argument("condition '" + std::string(text) + "': " + e.status().message());
    return true;
  });
  return r.status();
}

}  // namespace pipeline
