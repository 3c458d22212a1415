// PostgreSQL's binary COPY format, decoded without a server: bytes built here the way the
// PostgreSQL documentation lays them out (COPY, "Binary Format"; numeric_send), and the type
// plans for result columns.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "sources/database/pg_binary.hpp"
#include "sources/database/postgres_reader.hpp"

namespace hyperpipe::sources::database {
namespace {

std::string be16(std::int16_t v) {
  const auto u = static_cast<std::uint16_t>(v);
  return {static_cast<char>(u >> 8), static_cast<char>(u & 0xFF)};
}
std::string be32(std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  return be16(static_cast<std::int16_t>(u >> 16)) + be16(static_cast<std::int16_t>(u & 0xFFFF));
}
std::string be64(std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  return be32(static_cast<std::int32_t>(u >> 32)) + be32(static_cast<std::int32_t>(u & 0xFFFFFFFF));
}
ColumnDefinition col(std::string name, SqlType type) { return ColumnDefinition{std::move(name), type, Nullability::nullable, {}}; }

PgResultColumn result_column(std::string name, std::uint32_t oid, std::int32_t modifier, std::string type_name = {},
                             char category = 0, std::uint32_t base_oid = 0, std::int32_t base_modifier = -1) {
  return PgResultColumn{std::move(name), oid, modifier, std::move(type_name), category, base_oid, base_modifier};
}

std::string field(const std::string& bytes) { return be32(static_cast<std::int32_t>(bytes.size())) + bytes; }
std::string null_field() { return be32(-1); }
const std::string k_header = std::string("PGCOPY\n\377\r\n\0", 11) + be32(0) + be32(0);

// numeric_send: ndigits, weight, sign, dscale, base-10000 digit groups.
std::string numeric(std::int16_t weight, bool negative, std::int16_t dscale, std::vector<std::int16_t> groups) {
  std::string out = be16(static_cast<std::int16_t>(groups.size())) + be16(weight) +
                    be16(static_cast<std::int16_t>(negative ? 0x4000 : 0)) + be16(dscale);
  for (auto group : groups) {
    out += be16(group);
  }
  return out;
}

TEST(PgBinary, DecodesEveryKindIntoHyperUnits) {
  std::vector<ColumnDefinition> columns = {
      col("b", SqlType::boolean()),        col("i2", SqlType::small_int()), col("i4", SqlType::integer()),
      col("i8", SqlType::big_int()),       col("f4", SqlType::double_precision()), col("f8", SqlType::double_precision()),
      col("n", SqlType::numeric(12, 2)),   col("t", SqlType::text()),       col("d", SqlType::date()),
      col("tm", SqlType::time()),          col("ts", SqlType::timestamp()), col("tz", SqlType::timestamp_tz()),
      col("iv", SqlType::interval()),      col("raw", SqlType::bytes())};
  ColumnBatch batch(columns);
  PgBinaryDecoder decoder({PgDecode::boolean, PgDecode::int2, PgDecode::int4, PgDecode::int8, PgDecode::float4, PgDecode::float8,
                           PgDecode::numeric, PgDecode::text, PgDecode::date, PgDecode::time, PgDecode::timestamp,
                           PgDecode::timestamptz, PgDecode::interval, PgDecode::bytes});
  std::string row = be16(14) + field("\x01") + field(be16(-32768)) + field(be32(123456)) + field(be64(-9)) +
                    field(be32(static_cast<std::int32_t>(std::bit_cast<std::uint32_t>(1.5F)))) +
                    field(be64(static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(-2.25)))) +
                    field(numeric(1, true, 2, {1234, 5678, 9000})) + // -12345678.90
                    field("h\xc3\xa9") + field(be32(-11'122)) + // 1969-07-20: days from 2000-01-01
                    field(be64(86'399'999'999)) + field(be64(0)) + field(be64(-946'684'800'000'000)) +
                    field(be64(3'600'000'000) + be32(2) + be32(14)) + field(std::string("\0\xff", 2));
  ASSERT_TRUE(decoder.feed(k_header + row, batch).ok());
  const std::string nulls = be16(14) + [] {
    std::string out;
    for (int i = 0; i < 14; ++i) {
      out += null_field();
    }
    return out;
  }();
  ASSERT_TRUE(decoder.feed(nulls, batch).ok());
  ASSERT_TRUE(decoder.feed(be16(-1), batch).ok());
  EXPECT_TRUE(decoder.finished());
  EXPECT_EQ(decoder.rows(), 2u);
  EXPECT_EQ(batch.row_count(), 2u);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    EXPECT_TRUE(batch.column(i).is_null(1)) << columns[i].name;
    EXPECT_FALSE(batch.column(i).is_null(0)) << columns[i].name;
  }
  const auto fixed = [&](std::size_t column, auto value) {
    std::memcpy(&value, batch.column(column).fixed_value(0), sizeof value);
    return value;
  };
  EXPECT_EQ(fixed(1, std::int16_t{}), -32768);
  EXPECT_EQ(fixed(2, std::int32_t{}), 123456);
  EXPECT_EQ(fixed(3, std::int64_t{}), -9);
  EXPECT_EQ(fixed(4, double{}), 1.5);
  EXPECT_EQ(fixed(5, double{}), -2.25);
  EXPECT_EQ(fixed(6, std::int64_t{}), -1234567890);
  EXPECT_EQ(batch.column(7).var_value(0), "h\xc3\xa9");
  EXPECT_EQ(batch.column(13).var_value(0), std::string("\0\xff", 2));
}

TEST(PgBinary, NumericsAreExactOrRefused) {
  EXPECT_EQ(decode_pg_numeric(numeric(0, false, 2, {12, 3400}), 2).value(), (Decimal{1234, 2})); // 12.34
  EXPECT_EQ(decode_pg_numeric(numeric(-1, false, 4, {5}), 4).value(), (Decimal{5, 4}));          // 0.0005
  EXPECT_EQ(decode_pg_numeric(numeric(2, false, 0, {1}), 0).value(), (Decimal{100000000, 0}));   // 1e8
  EXPECT_EQ(decode_pg_numeric(numeric(0, false, 0, {}), 3).value(), (Decimal{0, 3}));            // 0
  // 38 digits fit; more do not.
  std::vector<std::int16_t> nines(9, 9999);
  nines.insert(nines.begin(), 99);
  const auto widest = decode_pg_numeric(numeric(9, false, 0, nines), 0);
  ASSERT_TRUE(widest.ok());
  EXPECT_EQ(widest->unscaled + 1, [] {
    Int128 p = 1;
    for (int i = 0; i < 38; ++i) p *= 10;
    return p;
  }());
  nines[0] = 999;
  EXPECT_EQ(decode_pg_numeric(numeric(9, false, 0, nines), 0).error().message, "more than 38 digits");
  EXPECT_EQ(decode_pg_numeric(numeric(-1, false, 4, {1234}), 2).error().message, "more than 2 decimal places");
  // numeric(38,2) at its largest: 36 nines, then .99 in a group padded with zeros, which must
  // not count as digits.
  std::vector<std::int16_t> largest(9, 9999);
  largest.push_back(9900);
  const auto edge = decode_pg_numeric(numeric(8, true, 2, largest), 2);
  ASSERT_TRUE(edge.ok()) << edge.error().message;
  EXPECT_EQ(-edge->unscaled + 1, widest->unscaled + 1);
  // numeric(38,37): 1.000...0001
  std::vector<std::int16_t> tiny(11, 0);
  tiny[0] = 1;
  tiny[10] = 1000; // decimals 37-40: the 37th is 1, then three padding zeros
  const auto fine = decode_pg_numeric(numeric(0, false, 37, tiny), 37);
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  Int128 expected = 1;
  for (int i = 0; i < 37; ++i) expected *= 10;
  EXPECT_EQ(fine->unscaled, expected + 1);
  std::string nan = be16(0) + be16(0) + be16(static_cast<std::int16_t>(0xC000)) + be16(0);
  EXPECT_EQ(decode_pg_numeric(nan, 2).error().message, "NaN");
  EXPECT_EQ(decode_pg_numeric("\x01", 2).error().kind, ErrorKind::remote);
}

TEST(PgBinary, ValuesHyperCannotHoldAndMalformedDataAreNamed) {
  ColumnBatch batch(std::vector<ColumnDefinition>{col("id", SqlType::integer()), col("at", SqlType::timestamp_tz())});
  PgBinaryDecoder decoder({PgDecode::int4, PgDecode::timestamptz});
  ASSERT_TRUE(decoder.feed(k_header + be16(2) + field(be32(1)) + field(be64(0)), batch).ok());
  const auto infinite = decoder.feed(be16(2) + field(be32(2)) + field(be64(INT64_MAX)), batch);
  ASSERT_FALSE(infinite.ok());
  EXPECT_EQ(infinite.error().message, "row 2: column at: timestamp 'infinity' cannot be stored in Hyper");
  EXPECT_EQ(batch.row_count(), 1u); // the partial row was rolled back
  EXPECT_FALSE(decoder.feed(be16(3), batch).ok());
  EXPECT_FALSE(PgBinaryDecoder({PgDecode::int4}).feed("PGCOPY", batch).ok());
  ColumnBatch other(std::vector<ColumnDefinition>{col("id", SqlType::integer())});
  PgBinaryDecoder short_field({PgDecode::int4});
  const auto wrong = short_field.feed(k_header + be16(1) + field(be16(1)), other);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("column id: a 2-byte value"), std::string::npos) << wrong.error().message;
}

TEST(PgTypes, PlansCastsAndNotes) {
  std::vector<PgResultColumn> columns(7);
  columns[0] = result_column("amount", 1700, (12 << 16 | 2) + 4);
  columns[1] = result_column("free", 1700, -1);
  columns[2] = result_column("tags", 1007, -1, "_int4", 'A');
  columns[3] = result_column("doc", 3802, -1);
  columns[4] = result_column("mood", 99999, -1, "mood", 'E');
  columns[5] = result_column("addr", 869, -1, "inet", 'I');
  columns[6] = result_column("price", 90000, -1, "price", 'N', 1700, (10 << 16 | 2) + 4);
  const auto plans = plan_columns(columns);
  EXPECT_EQ(plans[0].column.type, SqlType::numeric(12, 2));
  EXPECT_EQ(plans[0].select, "\"amount\"");
  EXPECT_FALSE(plans[0].note);
  EXPECT_EQ(plans[1].column.type, SqlType::double_precision());
  EXPECT_EQ(plans[1].select, "\"free\"::float8");
  EXPECT_TRUE(plans[1].note);
  EXPECT_EQ(plans[2].select, "to_json(\"tags\")::text");
  EXPECT_FALSE(plans[2].note);
  EXPECT_EQ(plans[3].select, "\"doc\"::text");
  EXPECT_FALSE(plans[4].note);
  ASSERT_TRUE(plans[5].note);
  EXPECT_EQ(*plans[5].note, "column addr: type inet has no Hyper equivalent: loaded as text");
  EXPECT_EQ(plans[6].column.type, SqlType::numeric(10, 2)); // a domain: its base type
}

TEST(PgConnection, RemoteServersAreVerifiedUnlessSaidOtherwise) {
  const auto has = [](const auto& parameters, const std::string& key, const std::string& value) {
    return std::find(parameters.begin(), parameters.end(), std::pair<std::string, std::string>{key, value}) != parameters.end();
  };
  EXPECT_TRUE(has(connection_settings("postgresql://u@db.example.com/x", nullptr, nullptr).parameters, "sslmode", "verify-full"));
  EXPECT_TRUE(has(connection_settings("host=db.example.com dbname=x", nullptr, nullptr).parameters, "sslmode", "verify-full"));
  EXPECT_FALSE(has(connection_settings("postgresql://u@db.example.com/x?sslmode=require", nullptr, nullptr).parameters, "sslmode",
                   "verify-full"));
  EXPECT_FALSE(has(connection_settings("postgresql://u@db.example.com/x", "disable", nullptr).parameters, "sslmode", "verify-full"));
  EXPECT_FALSE(has(connection_settings("postgresql://u@127.0.0.1:5432/x", nullptr, nullptr).parameters, "sslmode", "verify-full"));
  EXPECT_FALSE(has(connection_settings("", nullptr, "/var/run/postgresql").parameters, "sslmode", "verify-full"));
  EXPECT_TRUE(has(connection_settings("", nullptr, "warehouse.internal").parameters, "sslmode", "verify-full"));
  EXPECT_TRUE(has(connection_settings("", nullptr, nullptr).parameters, "application_name", "hyperpipe"));
}

std::optional<std::string> connection_settings_password(const std::string& connection) {
  return connection_settings(connection, nullptr, nullptr).password;
}

TEST(PgConnection, ThePasswordInAConnectionStringIsFoundToBeRedacted) {
  EXPECT_EQ(connection_settings_password("postgresql://me:s%40cret@db.example.com/x"), std::optional<std::string>("s@cret"));
  EXPECT_EQ(connection_settings_password("host=db user=me password='pa ss'"), std::optional<std::string>("pa ss"));
  EXPECT_FALSE(connection_settings_password("postgresql://me@db.example.com/x"));
  EXPECT_FALSE(connection_settings_password(""));
  EXPECT_TRUE(connection_settings("postgresql://u:50%zzoff@h/x", nullptr, nullptr).malformed);
  EXPECT_FALSE(connection_settings("postgresql://u@h/x", nullptr, nullptr).malformed);
}

} // namespace
} // namespace hyperpipe::sources::database
