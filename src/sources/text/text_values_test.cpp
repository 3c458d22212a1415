#include "sources/text/text_values.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace hyperpipe::sources {
namespace {

std::int64_t utc_micros(int y, unsigned mo, unsigned d, int h, int mi, int s, int us = 0) {
  return Timestamp::from_date_time(Date::from_ymd(y, mo, d), TimeOfDay::from_hms(h, mi, s, us)).micros_since_epoch;
}

TEST(TextValues, TimestampsWithOffsetsBecomeUtc) {
  const auto t = parse_timestamp("2024-03-31T02:30:00.123+02:00", {});
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->has_offset);
  EXPECT_EQ(t->value.micros_since_epoch, utc_micros(2024, 3, 31, 0, 30, 0, 123000));
  EXPECT_EQ(parse_timestamp("2024-01-01 00:00:00Z", {})->value.micros_since_epoch, utc_micros(2024, 1, 1, 0, 0, 0));
  EXPECT_EQ(parse_timestamp("2024-01-01T05:30-0530", {})->value.micros_since_epoch, utc_micros(2024, 1, 1, 11, 0, 0));
  const auto naive = parse_timestamp("1969-12-31 23:59:59.999999", {});
  ASSERT_TRUE(naive.has_value());
  EXPECT_FALSE(naive->has_offset);
  EXPECT_EQ(naive->value.micros_since_epoch, -1);
}

TEST(TextValues, APlainDateIsMidnightAsATimestamp) {
  // A column inferred from dates and timestamps together is TIMESTAMP: its dates must load.
  const auto t = parse_timestamp("2024-01-31", {});
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(t->has_offset);
  EXPECT_EQ(t->value.micros_since_epoch, utc_micros(2024, 1, 31, 0, 0, 0));
  Column column(ColumnDefinition{"at", SqlType::timestamp(), Nullability::nullable, {}});
  EXPECT_TRUE(append_text_value(column, "2024-01-31", {}).ok());
}

TEST(TextValues, RefusesWhatWouldLosePrecisionOrIsNotADate) {
  EXPECT_FALSE(parse_timestamp("2024-01-01 00:00:00.1234567", {}).has_value());
  EXPECT_FALSE(parse_date("2023-02-29", {}).has_value());
  EXPECT_FALSE(parse_date("2024-1-1", {}).has_value());
  EXPECT_FALSE(parse_time("25:00:00").has_value());
  EXPECT_TRUE(parse_time("24:00:00").has_value());
}

TEST(TextValues, Numbers) {
  EXPECT_EQ(parse_integer("-42"), -42);
  EXPECT_EQ(parse_integer("+7"), 7);
  EXPECT_FALSE(parse_integer("007").has_value());
  EXPECT_FALSE(parse_integer("9223372036854775808").has_value());
  EXPECT_EQ(parse_double("-1.5e3"), -1500.0);
  EXPECT_TRUE(std::isinf(*parse_double("-Infinity")));
  EXPECT_FALSE(parse_double("1,5").has_value());
  EXPECT_FALSE(parse_double("0x10").has_value());
}

TEST(TextValues, AppendExplainsWithoutContext) {
  Column column(ColumnDefinition{"price", SqlType::numeric(5, 2), Nullability::nullable, {}});
  const auto status = append_text_value(column, "abc", {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().detail, "\"abc\" is not a decimal number");
  EXPECT_EQ(append_text_value(column, "1.234", {}).error().detail, "has more than 2 decimal places: 1.234");
  EXPECT_TRUE(append_text_value(column, "-12.5", {}).ok());
}

} // namespace
} // namespace hyperpipe::sources
