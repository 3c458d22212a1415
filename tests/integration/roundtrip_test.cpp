// Every Hyper type written through the HyperBinary path and read back by hyperd, compared value
// by value with what hyperd itself says the value is. The independent check with the official
// Python reader is tests/python/test_roundtrip_tableauhyperapi.py.
#include <gtest/gtest.h>

#include "engine_fixture.hpp"
#include "hyper/copy/hyperbinary_encoder.hpp"
#include "hyper/engine_state.hpp"
#include "hyperpipe/extract.hpp"
#include "support/hex.hpp"

namespace hyperpipe::testing {
namespace {

class RoundTrip : public EngineTest {};

struct Case {
  SqlType type;
  Value value;
  std::string expected_text; ///< hyperd's text rendering of the stored value
  std::string literal;       ///< the same value as an SQL expression, for the golden byte check
};

Int128 pow10(int n) {
  Int128 v = 1;
  while (n-- > 0) {
    v *= 10;
  }
  return v;
}

std::vector<Case> every_type() {
  return {
      {SqlType::boolean(), true, "t", "true"},
      {SqlType::small_int(), std::int64_t{-32768}, "-32768", "CAST(-32768 AS SMALLINT)"},
      {SqlType::integer(), std::int64_t{2147483647}, "2147483647", "CAST(2147483647 AS INTEGER)"},
      {SqlType::big_int(), std::int64_t{-9223372036854775807LL - 1}, "-9223372036854775808",
       "CAST(-9223372036854775808 AS BIGINT)"},
      {SqlType::double_precision(), 0.1, "0.1", "CAST(0.1 AS DOUBLE PRECISION)"},
      {SqlType::numeric(18, 4), Decimal{pow10(18) - 1, 4}, "99999999999999.9999",
       "CAST(99999999999999.9999 AS NUMERIC(18,4))"},
      {SqlType::numeric(38, 10), Decimal{-(pow10(38) - 1), 10}, "-9999999999999999999999999999.9999999999",
       "CAST(-9999999999999999999999999999.9999999999 AS NUMERIC(38,10))"},
      {SqlType::text(), std::string("Zürich — 東京 🚀"), "Zürich — 東京 🚀", "'Zürich — 東京 🚀'"},
      {SqlType::text(), std::string(""), "", "''"},
      {SqlType::varchar(5), std::string("héllo"), "héllo", "CAST('héllo' AS VARCHAR(5))"},
      {SqlType::character(3), std::string("ab"), "ab ", "CAST('ab' AS CHAR(3))"},
      {SqlType::bytes(), std::string("\x00\x01\xff", 3), "\\x0001ff", "CAST('\\x0001ff' AS BYTEA)"},
      {SqlType::date(), Date::from_ymd(1969, 7, 20), "1969-07-20", "DATE '1969-07-20'"},
      {SqlType::date(), Date::from_ymd(2100, 2, 28), "2100-02-28", "DATE '2100-02-28'"},
      {SqlType::date(), Date::from_ymd(-4712, 1, 1), "4713-01-01 BC", "DATE '2000-01-01' - 2451507"},
      {SqlType::time(), TimeOfDay::from_hms(23, 59, 59, 999999), "23:59:59.999999", "TIME '23:59:59.999999'"},
      {SqlType::timestamp(), Timestamp::from_date_time(Date::from_ymd(2038, 1, 19), TimeOfDay::from_hms(3, 14, 8, 123456)),
       "2038-01-19 03:14:08.123456", "TIMESTAMP '2038-01-19 03:14:08.123456'"},
      {SqlType::timestamp(), Timestamp::from_date_time(Date::from_ymd(1900, 1, 1), TimeOfDay{}), "1900-01-01 00:00:00",
       "TIMESTAMP '1900-01-01 00:00:00'"},
      {SqlType::timestamp_tz(), Timestamp::from_date_time(Date::from_ymd(2024, 3, 31), TimeOfDay::from_hms(1, 30, 0, 1)),
       "2024-03-31 01:30:00.000001+00", "TIMESTAMPTZ '2024-03-31 01:30:00.000001+00'"},
      {SqlType::interval(), Interval{14, 3, 4'000'005}, "P1Y2M3DT4.000005S", "INTERVAL '1 year 2 months 3 days 4.000005 seconds'"},
      {SqlType::json(), std::string(R"({"a": [1, 2]})"), R"({"a": [1, 2]})", R"(CAST('{"a": [1, 2]}' AS JSON))"},
      {SqlType::oid(), std::int64_t{4294967295}, "4294967295", "CAST('4294967295' AS OID)"},
  };
}

TEST_F(RoundTrip, EveryTypeReadsBackExactly) {
  const auto path = m_dir / "types.hyper";
  auto writer = ExtractWriter::open(engine(), path, {CreateMode::create, 4}).value();
  const auto cases = every_type();
  TableDefinition table{{"Extract", "Extract"}, {}, {}, {}};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    table.add("c" + std::to_string(i), cases[i].type);
  }
  table.add("r", SqlType::real()).add("g", SqlType::geography());
  ASSERT_TRUE(writer.add_table(table).ok());
  ColumnBatch batch(table);
  std::vector<Value> row;
  std::vector<Value> nulls(table.columns.size(), Value{});
  for (const auto& c : cases) {
    row.push_back(c.value);
  }
  row.emplace_back(1.5);
  row.emplace_back(std::string("POINT(4.35 50.85)"));
  ASSERT_TRUE(batch.append_row(row).ok());
  ASSERT_TRUE(batch.append_row(nulls).ok());
  auto rows = writer.write_to(table.name).value();
  ASSERT_TRUE(rows.write(batch).ok());
  EXPECT_EQ(rows.finish().value(), 2U);
  ASSERT_TRUE(writer.commit().ok());

  const auto result = engine().query(path, "SELECT * FROM \"Extract\".\"Extract\" ORDER BY c0 NULLS LAST").value();
  ASSERT_EQ(result.rows.size(), 2U);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("column c" + std::to_string(i) + " " + cases[i].type.sql());
    EXPECT_EQ(result.columns[i].type, cases[i].type);
    EXPECT_EQ(result.rows[0][i].value_or("<NULL>"), cases[i].expected_text);
    EXPECT_FALSE(result.rows[1][i].has_value());
  }
  EXPECT_EQ(result.rows[0][cases.size()], "1.5");
  EXPECT_EQ(result.rows[0][cases.size() + 1], "POINT(4.3500000 50.8500000)");
}

// Our encoder's bytes must equal what hyperd itself emits for the same values.
TEST_F(RoundTrip, EncoderMatchesHyperdsOwnHyperBinary) {
  auto connection = engine().state().connect().value();
  for (const auto& c : every_type()) {
    for (auto nullability : {Nullability::nullable, Nullability::not_null}) {
      SCOPED_TRACE(c.type.sql() + (nullability == Nullability::not_null ? " NOT NULL" : ""));
      TableDefinition table;
      table.add("v", c.type, nullability);
      ColumnBatch batch(table);
      ASSERT_TRUE(batch.append_row({c.value}).ok());
      std::string ours(copy::k_hyperbinary_header);
      ASSERT_TRUE(copy::encode_rows(batch, ours).ok());
      // A NOT NULL column in hyperd's output needs a NOT NULL expression: go through a table.
      ASSERT_TRUE(connection.execute("DROP TABLE IF EXISTS golden").ok());
      ASSERT_TRUE(connection.execute("CREATE TEMPORARY TABLE golden (v " + c.type.sql() +
                                     (nullability == Nullability::not_null ? " NOT NULL)" : ")")).ok());
      auto inserted = connection.execute("INSERT INTO golden VALUES (" + c.literal + ")");
      ASSERT_TRUE(inserted.ok()) << inserted.error().describe();
      auto theirs = connection.copy_out("COPY golden TO STDOUT WITH (FORMAT HYPERBINARY)");
      ASSERT_TRUE(theirs.ok()) << theirs.error().describe();
      if (c.type.kind() == TypeKind::character) {
        continue; // hyperd strips CHAR padding when it emits; covered by the read-back test
      }
      EXPECT_EQ(hex(ours), hex(*theirs));
    }
  }
}

TEST_F(RoundTrip, ManyBatchesStreamAcrossBuffers) {
  const auto path = m_dir / "many.hyper";
  auto writer = ExtractWriter::open(engine(), path).value();
  TableDefinition table;
  table.add("id", SqlType::big_int(), Nullability::not_null).add("s", SqlType::text());
  ASSERT_TRUE(writer.add_table(table).ok());
  auto rows = writer.write_to(table.name).value();
  ColumnBatch batch(table);
  std::int64_t next = 0;
  for (int b = 0; b < 40; ++b) { // ~10 MB in total: several 4 MB flushes
    batch.clear();
    for (int i = 0; i < 10'000; ++i, ++next) {
      ASSERT_TRUE(batch.append_row({next, std::string(16, static_cast<char>('a' + next % 26))}).ok());
    }
    ASSERT_TRUE(rows.write(batch).ok());
  }
  EXPECT_EQ(rows.finish().value(), 400'000U);
  ASSERT_TRUE(writer.commit().ok());
  const auto result = engine().query(path, "SELECT count(*), sum(id), count(DISTINCT s) FROM \"Extract\".\"Extract\"").value();
  EXPECT_EQ(result.rows[0][0], "400000");
  EXPECT_EQ(result.rows[0][1], "79999800000");
  EXPECT_EQ(result.rows[0][2], "26");
}

} // namespace
} // namespace hyperpipe::testing
