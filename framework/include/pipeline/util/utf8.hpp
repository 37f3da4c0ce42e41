// UTF-8 checks for text that comes from files and models: where a byte sequence stops being
// UTF-8 (for "not UTF-8 at byte N" messages), and a repaired copy for output that must be valid
// (the --json documents).
//
//   if (auto at = first_invalid_utf8(text)) return error("not UTF-8 at byte " + ...);
//   std::cout << valid_utf8(doc);
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

// The offset of the first byte that does not start or continue a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF included), or nullopt.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// `text` with every ill-formed sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

}  // namespace pipeline
