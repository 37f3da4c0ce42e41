// choose_time_buckets: the smallest round width that fits the span in the bucket limit, aligned
// to the epoch; index_of clamps; labels and width names in UTC.
#include <pipeline/monitor/time_buckets.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
// 2026-12-03 00:00:00 UTC
constexpr std::int64_t kDec3 = 1'796'256'000'000;

TEST(TimeBuckets, TenMinutesGetMinuteBucketsAlignedToTheMinute) {
  const auto b = choose_time_buckets(kDec3 + 30'000, kDec3 + 10 * kMinute + 5'000);
  EXPECT_EQ(b.width_ms, kMinute);
  EXPECT_EQ(b.start_unix_ms, kDec3);
  EXPECT_EQ(b.count, 11u);
  EXPECT_EQ(b.width_name(), "1 minute");
}

TEST(TimeBuckets, TheSmallestWidthThatFitsTheLimitIsChosen) {
  // 72 hours minus a millisecond: exactly 24 buckets of 3 hours, 72 of 1 hour.
  const auto b = choose_time_buckets(kDec3, kDec3 + 72 * kHour - 1, 24);
  EXPECT_EQ(b.width_ms, 3 * kHour);
  EXPECT_EQ(b.count, 24u);
  EXPECT_EQ(b.width_name(), "3 hours");
  // One more millisecond needs a 25th bucket: the next width.
  EXPECT_EQ(choose_time_buckets(kDec3, kDec3 + 72 * kHour, 24).width_ms, 6 * kHour);
}

TEST(TimeBuckets, AQuarterGetsWeeklyOrLongerBuckets) {
  const auto b = choose_time_buckets(kDec3 - 90 * kDay, kDec3);
  EXPECT_GE(b.width_ms, 7 * kDay);
  EXPECT_LE(b.count, 24u);
  EXPECT_EQ(b.width_name(), std::to_string(b.width_ms / kDay) + " days");
}

TEST(TimeBuckets, AVeryLongSpanStillFitsTheLimit) {
  const auto b = choose_time_buckets(0, 100 * 365 * kDay, 12);
  EXPECT_LE(b.count, 12u);
  EXPECT_EQ(b.width_ms % (365 * kDay), 0);
  EXPECT_EQ(b.index_of(100 * 365 * kDay), b.count - 1);
}

TEST(TimeBuckets, OneMomentIsOneBucketAndSwappedBoundsAreAccepted) {
  const auto one = choose_time_buckets(kDec3 + 5, kDec3 + 5);
  EXPECT_EQ(one.count, 1u);
  EXPECT_EQ(one.width_ms, kMinute);
  const auto swapped = choose_time_buckets(kDec3 + 10 * kMinute, kDec3);
  EXPECT_EQ(swapped.start_unix_ms, kDec3);
  EXPECT_EQ(swapped.count, 11u);
}

TEST(TimeBuckets, IndexOfClampsTimesOutsideTheSpan) {
  const auto b = choose_time_buckets(kDec3, kDec3 + 5 * kMinute);
  EXPECT_EQ(b.index_of(kDec3 - kDay), 0u);
  EXPECT_EQ(b.index_of(kDec3 + 2 * kMinute + 1), 2u);
  EXPECT_EQ(b.index_of(kDec3 + kDay), b.count - 1);
}

TEST(TimeBuckets, LabelsShowTheTimeUnderADayAndTheDateOtherwise) {
  const auto minutes = choose_time_buckets(kDec3 + 13 * kHour, kDec3 + 13 * kHour + 10 * kMinute);
  EXPECT_EQ(minutes.label(0), "12-03 13:00");
  EXPECT_EQ(minutes.label(5), "12-03 13:05");
  const auto days = choose_time_buckets(kDec3, kDec3 + 20 * kDay);
  EXPECT_EQ(days.width_ms, kDay);
  EXPECT_EQ(days.label(0), "2026-12-03");
  EXPECT_EQ(days.label(1), "2026-12-04");
}

TEST(TimeBuckets, FormatUtcWritesTheMomentInUtc) {
  EXPECT_EQ(format_utc(kDec3 + 13 * kHour + 28 * kMinute + 6'500), "2026-12-03 13:28:06 UTC");
  EXPECT_EQ(format_utc(0), "1970-01-01 00:00:00 UTC");
}

}  // namespace
}  // namespace pipeline
