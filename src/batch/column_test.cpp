#include <gtest/gtest.h>

#include <cstring>

#include "batch/decimal_text.hpp"
#include "hyperpipe/column_batch.hpp"

namespace hyperpipe {
namespace {

Column make_column(SqlType type, Nullability nullability = Nullability::nullable) {
  return Column(ColumnDefinition{"price", type, nullability, {}});
}

TEST(Column, OutOfRangeIntegersNameColumnRowAndValue) {
  Column column = make_column(SqlType::small_int());
  ASSERT_TRUE(column.append_int(1).ok());
  const auto status = column.append_int(70000);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::value);
  EXPECT_EQ(status.error().message, "column \"price\" (SMALLINT), row 2: out of range (-32768..32767): 70000");
  EXPECT_EQ(column.size(), 1U);
}

TEST(Column, NullInNotNullColumnIsRefused) {
  Column column = make_column(SqlType::integer(), Nullability::not_null);
  const auto status = column.append_null();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("NULL in a NOT NULL column"), std::string::npos);
}

TEST(Column, InvalidUtf8IsRefusedAndShownEscaped) {
  Column column = make_column(SqlType::text());
  const auto status = column.append_text("ab\xff");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "column \"price\" (TEXT), row 1: invalid UTF-8: \"ab\\xFF\"");
  // BYTES takes any bytes.
  Column bytes = make_column(SqlType::bytes());
  EXPECT_TRUE(bytes.append_text("ab\xff").ok());
}

TEST(Column, VarcharCountsCharactersNotBytes) {
  Column column = make_column(SqlType::varchar(3));
  EXPECT_TRUE(column.append_text("\xC3\xA9\xC3\xA9\xC3\xA9").ok()); // three 2-byte characters
  const auto status = column.append_text("abcd");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "column \"price\" (VARCHAR(3)), row 2: longer than 3 characters: \"abcd\"");
}

TEST(Column, DecimalsAreExactOrRefused) {
  Column column = make_column(SqlType::numeric(5, 2));
  EXPECT_TRUE(column.append_decimal_text("123.4").ok());   // rescaled to 123.40
  EXPECT_TRUE(column.append_decimal_text("-999.99").ok());
  EXPECT_TRUE(column.append_int(7).ok());                  // 7.00
  std::int64_t stored = 0;
  std::memcpy(&stored, column.fixed_value(0), 8);
  EXPECT_EQ(stored, 12340);
  std::memcpy(&stored, column.fixed_value(2), 8);
  EXPECT_EQ(stored, 700);
  auto lost = column.append_decimal_text("1.234");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().message, "column \"price\" (NUMERIC(5,2)), row 4: has more than 2 decimal places: 1.234");
  auto too_big = column.append_decimal_text("1000");
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().message, "column \"price\" (NUMERIC(5,2)), row 4: has more than 5 digits: 1000");
  EXPECT_FALSE(column.append_decimal_text("1e3").ok());
  EXPECT_FALSE(column.append_decimal_text("").ok());
}

TEST(Column, DoublesRefuseIntegersTheyCannotHold) {
  Column column = make_column(SqlType::double_precision());
  EXPECT_TRUE(column.append_int(9'007'199'254'740'992).ok()); // 2^53
  EXPECT_FALSE(column.append_int(9'007'199'254'740'993).ok());
}

TEST(Column, DecimalsWithImpossibleScalesAreRefusedNotCrashed) {
  Column column = make_column(SqlType::numeric(18, 2));
  EXPECT_EQ(column.append_decimal(Decimal{1, 200}).error().detail, "has a scale outside 0..38: 200");
  EXPECT_FALSE(column.append_decimal(Decimal{1, -200}).ok());
  EXPECT_EQ(column.size(), 0U);
}

TEST(Column, RealRefusesIntegersAFloatCannotHold) {
  Column column = make_column(SqlType::real());
  EXPECT_TRUE(column.append_int(16'777'216).ok()); // 2^24
  EXPECT_FALSE(column.append_int(16'777'217).ok());
}

TEST(Column, TypeMismatchIsAnError) {
  Column column = make_column(SqlType::date());
  const auto status = column.append_text("2024-01-01");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "column \"price\" (DATE), row 1: cannot store text \"2024-01-01\"");
}

TEST(Column, TruncateKeepsEncodedSizeExact) {
  Column column = make_column(SqlType::text());
  ASSERT_TRUE(column.append_text("abc").ok());
  ASSERT_TRUE(column.append_null().ok());
  ASSERT_TRUE(column.append_text("de").ok());
  EXPECT_EQ(column.encoded_size(), (1 + 4 + 3) + 1 + (1 + 4 + 2));
  column.truncate(2);
  EXPECT_EQ(column.encoded_size(), (1 + 4 + 3) + 1U);
  EXPECT_EQ(column.var_value(0), "abc");
  EXPECT_TRUE(column.is_null(1));
}

TEST(ColumnBatch, AFailedRowIsRolledBack) {
  TableDefinition table;
  table.add("a", SqlType::integer()).add("b", SqlType::small_int());
  ColumnBatch batch(table);
  ASSERT_TRUE(batch.append_row({std::int64_t{1}, std::int64_t{2}}).ok());
  EXPECT_FALSE(batch.append_row({std::int64_t{3}, std::int64_t{99999}}).ok());
  EXPECT_EQ(batch.row_count(), 1U);
  EXPECT_TRUE(batch.check_complete().ok());
  EXPECT_FALSE(batch.append_row({std::int64_t{3}}).ok());
}

TEST(DecimalText, RoundTripsAt38Digits) {
  const std::string text = "-1234567890123456789012345678.9012345678";
  const auto parsed = parse_decimal_text(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->scale, 10);
  EXPECT_EQ(decimal_to_text(*parsed), text);
  EXPECT_EQ(decimal_to_text(Decimal{5, 3}), "0.005");
  EXPECT_EQ(decimal_to_text(Decimal{-5, 3}), "-0.005");
  EXPECT_FALSE(parse_decimal_text("123456789012345678901234567890123456789").has_value()); // 39 digits
}

TEST(Values, CalendarHelpers) {
  EXPECT_EQ(Date::from_ymd(1970, 1, 1).days_since_epoch, 0);
  EXPECT_EQ(Date::from_ymd(2024, 2, 29).days_since_epoch, 19782);
  EXPECT_EQ(Date::from_ymd(1969, 12, 31).days_since_epoch, -1);
  EXPECT_EQ(TimeOfDay::from_hms(1, 2, 3, 4).micros, 3'723'000'004);
}

} // namespace
} // namespace hyperpipe
