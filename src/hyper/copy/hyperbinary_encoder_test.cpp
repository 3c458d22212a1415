#include "hyper/copy/hyperbinary_encoder.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "support/hex.hpp"

namespace hyperpipe::copy {
namespace {

using testing::hex;

// Encodes one value into a one-column table and returns the bytes of that single row.
std::string encode_one(SqlType type, const Value& value, Nullability nullability = Nullability::nullable) {
  TableDefinition table;
  table.add("c", type, nullability);
  ColumnBatch batch(table);
  EXPECT_TRUE(batch.append_row({value}).ok());
  std::string out;
  EXPECT_TRUE(encode_rows(batch, out).ok());
  EXPECT_EQ(out.size(), batch.encoded_size());
  return out;
}

TEST(HyperBinaryEncoder, HeaderIsSignatureAndThirteenZeroBytes) {
  EXPECT_EQ(hex(k_hyperbinary_header), "48 50 52 43 50 59 00 00 00 00 00 00 00 00 00 00 00 00 00");
}

TEST(HyperBinaryEncoder, NullableValuesCarryAPresenceByte) {
  EXPECT_EQ(hex(encode_one(SqlType::integer(), std::int64_t{1})), "00 01 00 00 00");
  EXPECT_EQ(hex(encode_one(SqlType::integer(), Value{})), "01");
  EXPECT_EQ(hex(encode_one(SqlType::integer(), std::int64_t{1}, Nullability::not_null)), "01 00 00 00");
  EXPECT_EQ(hex(encode_one(SqlType::text(), Value{})), "01");
}

TEST(HyperBinaryEncoder, IntegersAtTheirLimits) {
  const auto nn = Nullability::not_null;
  EXPECT_EQ(hex(encode_one(SqlType::boolean(), true, nn)), "01");
  EXPECT_EQ(hex(encode_one(SqlType::boolean(), false, nn)), "00");
  EXPECT_EQ(hex(encode_one(SqlType::small_int(), std::int64_t{-32768}, nn)), "00 80");
  EXPECT_EQ(hex(encode_one(SqlType::small_int(), std::int64_t{32767}, nn)), "ff 7f");
  EXPECT_EQ(hex(encode_one(SqlType::integer(), std::int64_t{std::numeric_limits<std::int32_t>::min()}, nn)),
            "00 00 00 80");
  EXPECT_EQ(hex(encode_one(SqlType::big_int(), std::numeric_limits<std::int64_t>::max(), nn)),
            "ff ff ff ff ff ff ff 7f");
  EXPECT_EQ(hex(encode_one(SqlType::big_int(), std::numeric_limits<std::int64_t>::min(), nn)),
            "00 00 00 00 00 00 00 80");
  EXPECT_EQ(hex(encode_one(SqlType::oid(), std::int64_t{4294967295}, nn)), "ff ff ff ff");
}

TEST(HyperBinaryEncoder, FloatingPointIsIeeeLittleEndian) {
  const auto nn = Nullability::not_null;
  EXPECT_EQ(hex(encode_one(SqlType::double_precision(), 1.5, nn)), "00 00 00 00 00 00 f8 3f");
  EXPECT_EQ(hex(encode_one(SqlType::real(), 1.5, nn)), "00 00 c0 3f");
  EXPECT_EQ(hex(encode_one(SqlType::double_precision(), -std::numeric_limits<double>::infinity(), nn)),
            "00 00 00 00 00 00 f0 ff");
}

TEST(HyperBinaryEncoder, NumericIsTheUnscaledInteger) {
  const auto nn = Nullability::not_null;
  // 123.45 in NUMERIC(10,2) is 12345 = 0x3039.
  EXPECT_EQ(hex(encode_one(SqlType::numeric(10, 2), Decimal{12345, 2}, nn)), "39 30 00 00 00 00 00 00");
  // 18 digits still fit the 64-bit form.
  EXPECT_EQ(hex(encode_one(SqlType::numeric(18, 0), Decimal{999'999'999'999'999'999, 0}, nn)),
            "ff ff 63 a7 b3 b6 e0 0d");
  // 38 digits: 10^38 - 1 as a 128-bit integer.
  Int128 max38 = 1;
  for (int i = 0; i < 38; ++i) {
    max38 *= 10;
  }
  max38 -= 1;
  EXPECT_EQ(hex(encode_one(SqlType::numeric(38, 0), Decimal{max38, 0}, nn)),
            "ff ff ff ff 3f 22 8a 09 7a c4 86 5a a8 4c 3b 4b");
  EXPECT_EQ(hex(encode_one(SqlType::numeric(38, 0), Decimal{-1, 0}, nn)),
            "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff");
}

TEST(HyperBinaryEncoder, DatesAreJulianDayNumbers) {
  const auto nn = Nullability::not_null;
  // 2000-01-01 is Julian day 2'451'545 = 0x00256859.
  EXPECT_EQ(hex(encode_one(SqlType::date(), Date::from_ymd(2000, 1, 1), nn)), "59 68 25 00");
  // Before 1970: 1969-12-31 is day 2'440'587 = 0x253d8b.
  EXPECT_EQ(hex(encode_one(SqlType::date(), Date::from_ymd(1969, 12, 31), nn)), "8b 3d 25 00");
  // After 2038: 2100-03-01 is day 2'488'129 = 0x25f741.
  EXPECT_EQ(hex(encode_one(SqlType::date(), Date::from_ymd(2100, 3, 1), nn)), "41 f7 25 00");
  // The earliest date hyperd accepts is Julian day 38, 4713-01-01 BC (astronomical year -4712);
  // the Julian epoch itself (day 0, 4714-11-24 BC) is refused with the row and value named.
  EXPECT_EQ(hex(encode_one(SqlType::date(), Date::from_ymd(-4712, 1, 1), nn)), "26 00 00 00");
  TableDefinition table;
  table.add("d", SqlType::date());
  ColumnBatch batch(table);
  const auto refused = batch.append_row({Date::from_ymd(-4713, 11, 24)});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "column \"d\" (DATE), row 1: date out of range (4713-01-01 BC to 294276-12-31), days since 1970: -2440588");
}

TEST(HyperBinaryEncoder, TimesAndTimestampsAreMicroseconds) {
  const auto nn = Nullability::not_null;
  // 2000-01-01 00:00:00 is 211'813'488'000'000'000 µs after Julian day 0 midnight; one more
  // microsecond shows sub-second precision survives.
  const Timestamp y2k = Timestamp::from_date_time(Date::from_ymd(2000, 1, 1), TimeOfDay::from_hms(0, 0, 0, 1));
  std::string bytes = encode_one(SqlType::timestamp(), y2k, nn);
  std::int64_t stored = 0;
  std::memcpy(&stored, bytes.data(), 8);
  EXPECT_EQ(stored, 211'813'488'000'000'001);
  bytes = encode_one(SqlType::timestamp_tz(), y2k, nn);
  std::memcpy(&stored, bytes.data(), 8);
  EXPECT_EQ(stored, 211'813'488'000'000'001);
  // 24:00:00 is a valid TIME: 86'400'000'000 = 0x141dd76000.
  EXPECT_EQ(hex(encode_one(SqlType::time(), TimeOfDay::from_hms(24, 0, 0), nn)), "00 60 d7 1d 14 00 00 00");
}

TEST(HyperBinaryEncoder, IntervalIsMicrosDaysMonths) {
  EXPECT_EQ(hex(encode_one(SqlType::interval(), Interval{2, 3, 4}, Nullability::not_null)),
            "04 00 00 00 00 00 00 00 03 00 00 00 02 00 00 00");
}

TEST(HyperBinaryEncoder, StringsAreLengthPrefixedBytes) {
  const auto nn = Nullability::not_null;
  EXPECT_EQ(hex(encode_one(SqlType::text(), std::string(""), nn)), "00 00 00 00");
  // "é€" is 2 + 3 bytes of UTF-8.
  EXPECT_EQ(hex(encode_one(SqlType::text(), std::string("\xC3\xA9\xE2\x82\xAC"), nn)),
            "05 00 00 00 c3 a9 e2 82 ac");
  EXPECT_EQ(hex(encode_one(SqlType::bytes(), std::string("\0\xff", 2), nn)), "02 00 00 00 00 ff");
  const std::string large(1 << 20, 'x');
  const std::string encoded = encode_one(SqlType::text(), large, nn);
  ASSERT_EQ(encoded.size(), 4 + large.size());
  EXPECT_EQ(hex(encoded.substr(0, 4)), "00 00 10 00");
  EXPECT_EQ(encoded.substr(4), large);
}

TEST(HyperBinaryEncoder, RowsInterleaveColumnsInOrder) {
  TableDefinition table;
  table.add("id", SqlType::small_int(), Nullability::not_null).add("name", SqlType::text());
  ColumnBatch batch(table);
  ASSERT_TRUE(batch.append_row({std::int64_t{1}, std::string("a")}).ok());
  ASSERT_TRUE(batch.append_row({std::int64_t{2}, Value{}}).ok());
  std::string out;
  ASSERT_TRUE(encode_rows(batch, out).ok());
  EXPECT_EQ(hex(out), "01 00 00 01 00 00 00 61 02 00 01");
}

TEST(HyperBinaryEncoder, RefusesARaggedBatch) {
  TableDefinition table;
  table.add("a", SqlType::integer()).add("b", SqlType::integer());
  ColumnBatch batch(table);
  ASSERT_TRUE(batch.column(0).append_int(1).ok());
  std::string out;
  const auto status = encode_rows(batch, out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "column \"b\" has 0 values but column \"a\" has 1");
}

} // namespace
} // namespace hyperpipe::copy
