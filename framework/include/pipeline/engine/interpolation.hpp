// {{...}} interpolation in strings and in whole JSON documents.
//
//   Interpolator in(resolver, [](auto var) { warn(var); });
//   json::value v = in.render("Hello {{inputs.name}}");   // "Hello Ada"
//   json::value n = in.render("{{steps.count.value}}");   // 3, a number: a lone {{...}} keeps its
//   type
#pragma once

#include <pipeline/engine/expression.hpp>
#include <pipeline/json.hpp>

#include <functional>
#include <set>
#include <string>
#include <string_view>

namespace pipeline {

class Interpolator {
 public:
  Interpolator(PathResolver resolve, std::function<void(std::string_view)> on_unknown,
               CancelCheck cancelled = {})
      : resolve_(std::move(resolve)),
        on_unknown_(std::move(on_unknown)),
        cancelled_(std::move(cancelled)) {}

  // A string with no {{ stays as it is. An expression that fails to parse or evaluate is an error.
  Result<json::value> render(std::string_view text) const;
  // Renders every string inside `v`, except the members of objects named in `skip_keys` (their
  // contents belong to sub-steps, which render them when they run).
  Result<json::value> render_value(const json::value& v,
                                   const std::set<std::string, std::less<>>& skip_keys = {}) const;

 private:
  PathResolver resolve_;
  std::function<void(std::string_view)> on_unknown_;
  CancelCheck cancelled_;
};

// True when `text` contains a {{...}} placeholder.
bool has_placeholders(std::string_view text);
// The expressions inside every {{...}} of `text`.
std::vector<std::string> placeholders(std::string_view text);

}  // namespace pipeline
