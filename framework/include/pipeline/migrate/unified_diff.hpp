// A unified diff of two texts, line by line (an LCS over lines), in the format `patch -p0` and
// `git apply` read: ---/+++ headers, @@ hunks with `context` lines around each change, and
// "\ No newline at end of file" where a side's last line has no ending.
#pragma once

#include <string>
#include <string_view>

namespace pipeline::migrate {

// Empty when the texts are equal. Line endings are part of a line, so a CRLF file diffs as CRLF.
std::string unified_diff(std::string_view before, std::string_view after,
                         std::string_view before_name, std::string_view after_name,
                         std::size_t context = 3);

}  // namespace pipeline::migrate
