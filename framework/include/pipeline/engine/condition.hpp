// Step conditions: an expression string ("steps.check.score > 0.8 and not skip"), a boolean, or
// pipeline_ex's structured form {and: [...]}, {or: [...]}, {not: ...}.
#pragma once

#include <pipeline/engine/expression.hpp>

namespace pipeline {

Result<bool> evaluate_condition(const json::value& condition, const PathResolver& resolve,
                                const std::function<void(std::string_view)>& on_unknown = {},
                                const CancelCheck& cancelled = {});

// Syntax check without evaluating (validation time). The message says what is wrong and where.
Status check_condition(const json::value& condition);

}  // namespace pipeline
