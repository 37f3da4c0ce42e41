// The names the jsonl sink gives the files it rotates out, and the pruning of the oldest. For
// the sink's file `logs/audit.jsonl`, the first file rotated out on a UTC day is
// `logs/audit.2026-12-03.jsonl`, later ones that day `logs/audit.2026-12-03.1.jsonl`, `.2`, ...
// The day is that of the file's last write, so ordering by (day, number) is the order in which
// the files were written; a number is never reused for a day, even after pruning removed it.
//
//   RotatedFiles files("logs/audit.jsonl");
//   fs::path target = files.next_name(utc_day(mtime));   // rename the full file to this
//   files.prune(14);                                     // keep the newest 14
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::metrics_jsonl {

// "YYYY-MM-DD", the UTC day of `t`.
std::string utc_day(std::time_t t);

class RotatedFiles {
 public:
  // `active` is the sink's own file; its stem and extension frame the rotated names (a file
  // without an extension: `records` -> `records.2026-12-03`, `records.2026-12-03.1`).
  explicit RotatedFiles(std::filesystem::path active);

  std::filesystem::path name(std::string_view day, std::int64_t number) const;
  // The number a file of this set carries (0: the day's unnumbered first file), or nothing when
  // `filename` (a name, no folder) is not one of this set.
  struct Parsed {
    std::string day;
    std::int64_t number = 0;
  };
  std::optional<Parsed> parse(const std::string& filename) const;

  // The existing rotated files, oldest first.
  std::vector<std::filesystem::path> list() const;
  // The name the next file rotated out on `day` takes: after every existing file of that day.
  std::filesystem::path next_name(std::string_view day) const;
  // Deletes the oldest beyond the newest `keep` (0: keeps all); returns how many went.
  std::size_t prune(std::size_t keep) const;

 private:
  std::filesystem::path dir_;
  std::string stem_;
  std::string ext_;
};

}  // namespace pipeline::metrics_jsonl
