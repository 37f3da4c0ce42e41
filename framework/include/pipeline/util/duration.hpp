// A span of time as users type it on the command line: "90s", "15m", "24h", "7d", "2w" (a whole
// number and one unit; "ms" for milliseconds). Used by `pipeline compare --since`.
//
//   auto d = parse_duration("7d");   // std::nullopt when malformed
//   std::int64_t since = now_ms - d->count();
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pipeline {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace pipeline
