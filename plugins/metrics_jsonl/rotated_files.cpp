#include "rotated_files.hpp"

#include <algorithm>
#include <cctype>
#include <system_error>
#include <tuple>

namespace pipeline::metrics_jsonl {

namespace fs = std::filesystem;

std::string utc_day(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

RotatedFiles::RotatedFiles(fs::path active)
    : dir_(active.has_parent_path() ? active.parent_path() : fs::path(".")),
      stem_(active.stem().string()),
      ext_(active.extension().string()) {}

fs::path RotatedFiles::name(std::string_view day, std::int64_t number) const {
  std::string n = stem_ + "." + std::string(day);
  if (number > 0) n += "." + std::to_string(number);
  return dir_ / (n + ext_);
}

std::optional<RotatedFiles::Parsed> RotatedFiles::parse(const std::string& filename) const {
  const std::string head = stem_ + ".";
  if (filename.size() < head.size() + ext_.size() + 10 || filename.compare(0, head.size(), head) ||
      filename.compare(filename.size() - ext_.size(), ext_.size(), ext_)) {
    return std::nullopt;
  }
  const std::string middle =
      filename.substr(head.size(), filename.size() - head.size() - ext_.size());
  // YYYY-MM-DD, then nothing or ".<number>".
  auto digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  };
  const std::string_view m = middle;
  if (m.size() < 10 || !digits(m.substr(0, 4)) || m[4] != '-' || !digits(m.substr(5, 2)) ||
      m[7] != '-' || !digits(m.substr(8, 2))) {
    return std::nullopt;
  }
  Parsed p{std::string(m.substr(0, 10)), 0};
  if (m.size() == 10) return p;
  if (m[10] != '.' || !digits(m.substr(11)) || m.size() > 11 + 18) return std::nullopt;
  p.number = std::stoll(std::string(m.substr(11)));
  if (p.number == 0) return std::nullopt;  // never written: ".0" is not ours
  return p;
}

std::vector<fs::path> RotatedFiles::list() const {
  std::vector<std::tuple<std::string, std::int64_t, fs::path>> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (auto p = parse(it->path().filename().string()))
      found.emplace_back(p->day, p->number, it->path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  out.reserve(found.size());
  for (auto& f : found) out.push_back(std::move(std::get<2>(f)));
  return out;
}

fs::path RotatedFiles::next_name(std::string_view day) const {
  std::int64_t next = 0;
  for (const auto& f : list()) {
    auto p = parse(f.filename().string());
    if (p && p->day == day) next = std::max(next, p->number + 1);
  }
  return name(day, next);
}

std::size_t RotatedFiles::prune(std::size_t keep) const {
  if (keep == 0) return 0;
  std::vector<fs::path> files = list();
  std::size_t removed = 0;
  for (std::size_t i = 0; i + keep < files.size(); ++i) {
    std::error_code ec;
    // Another process pruning at the same time may have removed it first: that is fine.
    if (fs::remove(files[i], ec)) ++removed;
  }
  return removed;
}

}  // namespace pipeline::metrics_jsonl
