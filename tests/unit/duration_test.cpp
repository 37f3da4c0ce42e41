// parse_duration: a whole number and one unit, everything else refused.
#include <pipeline/util/duration.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, EveryUnit) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("90s"), milliseconds(90'000));
  EXPECT_EQ(parse_duration("15m"), milliseconds(15 * 60'000));
  EXPECT_EQ(parse_duration("24h"), milliseconds(24 * 3'600'000LL));
  EXPECT_EQ(parse_duration("7d"), milliseconds(7 * 86'400'000LL));
  EXPECT_EQ(parse_duration("2w"), milliseconds(14 * 86'400'000LL));
  EXPECT_EQ(parse_duration("0d"), milliseconds(0));
}

TEST(ParseDuration, MalformedIsRefused) {
  for (const char* bad : {"", "d", "7", "7 d", "-1d", "1.5h", "7days", "7D", "99999999999999999w"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

}  // namespace
}  // namespace pipeline
