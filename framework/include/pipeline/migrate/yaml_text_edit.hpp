// Inserting lines into a YAML document as text, so that everything the user wrote (comments,
// key order, quoting, blank lines) stays byte for byte; positions come from yaml-cpp's marks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::migrate {

struct TextInsertion {
  std::size_t before_line = 0;     // 0-based line the new lines go in front of (== line count: end)
  std::size_t indent = 0;          // spaces put before each new line
  std::vector<std::string> lines;  // without indentation or line ending
};

// The document's lines, each keeping its own ending ("\n", "\r\n" or none for a last line).
std::vector<std::string> split_lines_keeping_endings(std::string_view text);

// `text` with the insertions applied (in line order; several at one line keep their order). New
// lines end like the document's first line ("\r\n" in a CRLF file); a last line without an ending
// gets one when something is inserted after it.
std::string apply_insertions(std::string_view text, std::vector<TextInsertion> insertions);

// A line holding only a comment (after indentation); such lines above a key belong to it.
bool is_comment_line(std::string_view line);

}  // namespace pipeline::migrate
