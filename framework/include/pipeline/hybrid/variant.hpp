// The two ways a step can run: as written (traditional) or on its optimized DSPy program.
// A mode says how a run chooses; a variant is what one execution of a step actually ran.
//
//   Variant v = Variant::kDspyOptimized;
//   record.variant = std::string(variant_name(v));
#pragma once

#include <optional>
#include <string_view>

namespace pipeline {

enum class Variant { kTraditional, kDspyOptimized };

// "traditional", "dspy_optimized" (the names StepRecord::variant and the route carry).
std::string_view variant_name(Variant v);
std::optional<Variant> parse_variant(std::string_view text);

}  // namespace pipeline
