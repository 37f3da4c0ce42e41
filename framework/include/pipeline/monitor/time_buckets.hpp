// Equal time buckets over the span of some step records: the x axis of the report's charts.
// The width is the smallest of a list of round ones (1 minute ... 1 year) that covers the span in
// at most `max_buckets` buckets, and buckets start at multiples of it since the Unix epoch (UTC),
// so a chart of a few minutes has minute buckets and one of a quarter has weekly ones.
//
//   TimeBuckets b = choose_time_buckets(first_ms, last_ms);
//   values[b.index_of(r.unix_ms)] += r.cost_usd;
//   label = b.label(i);                      // "12-03 13:05" or "2026-12-03"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pipeline {

struct TimeBuckets {
  std::int64_t start_unix_ms = 0;  // the first bucket's start, a multiple of width_ms
  std::int64_t width_ms = 60'000;
  std::size_t count = 1;

  // The bucket holding `unix_ms`; times outside the span go to the first or last bucket.
  std::size_t index_of(std::int64_t unix_ms) const;
  std::int64_t bucket_start(std::size_t i) const;
  // The bucket's start in UTC: "MM-DD HH:MM" for buckets under a day, "YYYY-MM-DD" otherwise.
  std::string label(std::size_t i) const;
  // "5 minutes", "1 hour", "7 days", ...
  std::string width_name() const;
};

// `first_unix_ms` <= `last_unix_ms` (swapped otherwise); max_buckets >= 1 (1 when smaller).
TimeBuckets choose_time_buckets(std::int64_t first_unix_ms, std::int64_t last_unix_ms,
                                std::size_t max_buckets = 24);

// A moment in UTC as "YYYY-MM-DD HH:MM:SS UTC" (the report's summary).
std::string format_utc(std::int64_t unix_ms);

}  // namespace pipeline
