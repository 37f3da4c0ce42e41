#include <pipeline/monitor/time_buckets.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <utility>

namespace pipeline {

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// Round widths a reader recognizes; past a year, whole multiples of a year.
constexpr std::array<std::int64_t, 16> kWidths = {
    kMinute, 5 * kMinute, 15 * kMinute, 30 * kMinute, kHour,     3 * kHour, 6 * kHour,  12 * kHour,
    kDay,    2 * kDay,    7 * kDay,     14 * kDay,    30 * kDay, 90 * kDay, 180 * kDay, 365 * kDay};

// Floor division: buckets of times before 1970 still start at or before the time.
std::int64_t floor_to(std::int64_t t, std::int64_t width) {
  std::int64_t q = t / width;
  if (t % width != 0 && t < 0) --q;
  return q * width;
}

std::tm utc(std::int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(floor_to(unix_ms, 1000) / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  return tm;
}

std::string strftime_utc(std::int64_t unix_ms, const char* format) {
  const std::tm tm = utc(unix_ms);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace

std::size_t TimeBuckets::index_of(std::int64_t unix_ms) const {
  if (unix_ms <= start_unix_ms || count == 0) return 0;
  const auto i = static_cast<std::size_t>((unix_ms - start_unix_ms) / width_ms);
  return std::min(i, count - 1);
}

std::int64_t TimeBuckets::bucket_start(std::size_t i) const {
  return start_unix_ms + static_cast<std::int64_t>(i) * width_ms;
}

std::string TimeBuckets::label(std::size_t i) const {
  return strftime_utc(bucket_start(i), width_ms < kDay ? "%m-%d %H:%M" : "%Y-%m-%d");
}

std::string TimeBuckets::width_name() const {
  auto plural = [](std::int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (width_ms % kDay == 0) return plural(width_ms / kDay, "day");
  if (width_ms % kHour == 0) return plural(width_ms / kHour, "hour");
  if (width_ms % kMinute == 0) return plural(width_ms / kMinute, "minute");
  return std::to_string(width_ms) + " ms";
}

TimeBuckets choose_time_buckets(std::int64_t first_unix_ms, std::int64_t last_unix_ms,
                                std::size_t max_buckets) {
  if (first_unix_ms > last_unix_ms) std::swap(first_unix_ms, last_unix_ms);
  max_buckets = std::max<std::size_t>(max_buckets, 1);
  auto buckets_for = [&](std::int64_t width) {
    TimeBuckets b;
    b.width_ms = width;
    b.start_unix_ms = floor_to(first_unix_ms, width);
    b.count = static_cast<std::size_t>((last_unix_ms - b.start_unix_ms) / width) + 1;
    return b;
  };
  for (std::int64_t width : kWidths) {
    TimeBuckets b = buckets_for(width);
    if (b.count <= max_buckets) return b;
  }
  // Longer than max_buckets years: whole years per bucket.
  const std::int64_t year = kWidths.back();
  const std::int64_t span = last_unix_ms - first_unix_ms;
  const std::int64_t years = span / year / static_cast<std::int64_t>(max_buckets) + 1;
  TimeBuckets b = buckets_for(years * year);
  while (b.count > max_buckets) b = buckets_for(b.width_ms + year);
  return b;
}

std::string format_utc(std::int64_t unix_ms) {
  return strftime_utc(unix_ms, "%Y-%m-%d %H:%M:%S UTC");
}

}  // namespace pipeline
