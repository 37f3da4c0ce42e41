// The expression language of conditions and {{...}} interpolation: paths (steps.x.text,
// global_vars.n, previous_response:step.field), literals, arithmetic, comparisons, and/or/not,
// and function calls (length(x), multiply(a, b), ...).
//
//   auto e = Expression::parse("steps.check.score > 0.8 and not skip");
//   json::value v = e->evaluate(resolver);
#pragma once

#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline {

// Looks a dotted path up in the run; nullopt when nothing by that name exists.
using PathResolver = std::function<std::optional<json::value>(std::string_view path)>;
// True once the run is cancelled (Ctrl-C, SIGTERM); long evaluations poll it and stop.
using CancelCheck = std::function<bool()>;

class Expression {
 public:
  struct Node;
  // Syntax errors name the offending column of `text` (1-based).
  static Result<Expression> parse(std::string_view text);

  // Unknown paths read as null and are reported through `on_unknown` (if set). Evaluation errors
  // (a function's wrong arguments, division by zero) are INVALID_ARGUMENT; CANCELLED once
  // `cancelled` says so (polled at every path and call, so a huge expression over huge data
  // stops within moments of Ctrl-C).
  Result<json::value> evaluate(const PathResolver& resolve,
                               const std::function<void(std::string_view)>& on_unknown = {},
                               const CancelCheck& cancelled = {}) const;

  // Every path the expression reads, for validation (e.g. steps it refers to).
  std::vector<std::string> paths() const;
  const std::string& text() const { return text_; }

 private:
  std::shared_ptr<const Node> root_;
  std::string text_;
};

// The truth value of a JSON value: null, false, 0, "", "false", [] and {} are false.
bool truthy(const json::value& v);

// `text` cut to `max` bytes with "..." (expressions quoted in messages can be 64 KiB long).
std::string shorten_for_message(std::string_view text, std::size_t max = 80);

// Names of the built-in functions, for messages.
std::vector<std::string> expression_functions();

}  // namespace pipeline
