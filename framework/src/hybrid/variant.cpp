#include <pipeline/hybrid/variant.hpp>

namespace pipeline {

std::string_view variant_name(Variant v) {
  return v == Variant::kDspyOptimized ? "dspy_optimized" : "traditional";
}

std::optional<Variant> parse_variant(std::string_view text) {
  if (text == "traditional") return Variant::kTraditional;
  if (text == "dspy_optimized") return Variant::kDspyOptimized;
  return std::nullopt;
}

}  // namespace pipeline
