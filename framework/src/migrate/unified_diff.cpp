#include <pipeline/migrate/unified_diff.hpp>

#include <pipeline/migrate/yaml_text_edit.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace pipeline::migrate {

namespace {

enum class Op { kKeep, kDelete, kInsert };
struct Edit {
  Op op;
  std::size_t a;  // index in `before` (kKeep, kDelete)
  std::size_t b;  // index in `after` (kKeep, kInsert)
};

// The edit script of a longest common subsequence of lines. Quadratic in lines, which suits
// workflow files (hundreds of lines); the common prefix and suffix are peeled off first, so a
// migration (insertions only) costs little more than its inserted region.
std::vector<Edit> edit_script(const std::vector<std::string>& a,
                              const std::vector<std::string>& b) {
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  const std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      at(i, j) =
          a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
  std::vector<Edit> out;
  for (std::size_t k = 0; k < pre; ++k) out.push_back({Op::kKeep, k, k});
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[pre + i] == b[pre + j]) {
      out.push_back({Op::kKeep, pre + i++, pre + j++});
    } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
      // Deletions before insertions in a changed run, as diff(1) prints them.
      out.push_back({Op::kDelete, pre + i++, pre + j});
    } else {
      out.push_back({Op::kInsert, pre + i, pre + j++});
    }
  }
  for (std::size_t k = 0; k < suf; ++k)
    out.push_back({Op::kKeep, a.size() - suf + k, b.size() - suf + k});
  return out;
}

void add_line(std::string& out, char mark, const std::string& line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

std::string range(std::size_t start, std::size_t count) {
  // A hunk that adds to an empty range names the line before it (0 at the top), as diff does.
  const std::size_t first = count == 0 ? start : start + 1;
  return std::to_string(first) + (count == 1 ? "" : "," + std::to_string(count));
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after,
                         std::string_view before_name, std::string_view after_name,
                         std::size_t context) {
  const auto a = split_lines_keeping_endings(before);
  const auto b = split_lines_keeping_endings(after);
  const auto edits = edit_script(a, b);
  std::string out;
  std::size_t k = 0;
  while (k < edits.size()) {
    while (k < edits.size() && edits[k].op == Op::kKeep) ++k;
    if (k == edits.size()) break;
    // A hunk: from `context` lines before this change to `context` after the last change that is
    // within 2*context lines of the next.
    std::size_t start = k >= context ? k - context : 0;
    std::size_t end = k;
    while (true) {
      while (end < edits.size() && edits[end].op != Op::kKeep) ++end;
      std::size_t keep = end;
      while (keep < edits.size() && edits[keep].op == Op::kKeep) ++keep;
      if (keep < edits.size() && keep - end <= 2 * context) {
        end = keep;
        continue;
      }
      end = std::min(edits.size(), end + context);
      break;
    }
    std::size_t a_count = 0, b_count = 0;
    for (std::size_t e = start; e < end; ++e) {
      if (edits[e].op != Op::kInsert) ++a_count;
      if (edits[e].op != Op::kDelete) ++b_count;
    }
    if (out.empty()) {
      out += "--- " + std::string(before_name) + "\n";
      out += "+++ " + std::string(after_name) + "\n";
    }
    out +=
        "@@ -" + range(edits[start].a, a_count) + " +" + range(edits[start].b, b_count) + " @@\n";
    for (std::size_t e = start; e < end; ++e) {
      const Edit& ed = edits[e];
      if (ed.op == Op::kKeep) add_line(out, ' ', a[ed.a]);
      if (ed.op == Op::kDelete) add_line(out, '-', a[ed.a]);
      if (ed.op == Op::kInsert) add_line(out, '+', b[ed.b]);
    }
    k = end;
  }
  return out;
}

}  // namespace pipeline::migrate
