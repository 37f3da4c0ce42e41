#include <pipeline/migrate/yaml_text_edit.hpp>

#include <algorithm>

namespace pipeline::migrate {

std::vector<std::string> split_lines_keeping_endings(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      out.emplace_back(text.substr(pos));
      break;
    }
    out.emplace_back(text.substr(pos, nl + 1 - pos));
    pos = nl + 1;
  }
  return out;
}

std::string apply_insertions(std::string_view text, std::vector<TextInsertion> insertions) {
  std::vector<std::string> lines = split_lines_keeping_endings(text);
  const std::string eol =
      !lines.empty() && lines.front().size() >= 2 && lines.front().ends_with("\r\n") ? "\r\n"
                                                                                     : "\n";
  std::stable_sort(insertions.begin(), insertions.end(),
                   [](const auto& a, const auto& b) { return a.before_line < b.before_line; });
  std::string out;
  out.reserve(text.size() + 256);
  std::size_t next = 0;
  auto emit = [&](const TextInsertion& ins) {
    if (!out.empty() && out.back() != '\n') out += eol;
    for (const auto& l : ins.lines) out += std::string(ins.indent, ' ') + l + eol;
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    while (next < insertions.size() && insertions[next].before_line <= i) emit(insertions[next++]);
    out += lines[i];
  }
  while (next < insertions.size()) emit(insertions[next++]);
  return out;
}

bool is_comment_line(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t");
  return i != std::string_view::npos && line[i] == '#';
}

}  // namespace pipeline::migrate
