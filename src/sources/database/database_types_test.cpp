// How SQLite's declared types and ODBC's SQL types become Hyper types.
#include <gtest/gtest.h>

#include <sqlext.h>

#include "sources/database/odbc_reader.hpp"
#include "sources/database/query_text.hpp"
#include "sources/database/sqlite_reader.hpp"

namespace hyperpipe::sources::database {
namespace {

TEST(SqliteTypes, AffinityRulesPlusDatesBooleansAndDecimals) {
  EXPECT_EQ(sqlite_declared_type("INTEGER"), SqlType::big_int());
  EXPECT_EQ(sqlite_declared_type("unsigned big int"), SqlType::big_int());
  EXPECT_EQ(sqlite_declared_type("VARCHAR(8)"), SqlType::text());
  EXPECT_EQ(sqlite_declared_type("nchar(55)"), SqlType::text());
  EXPECT_EQ(sqlite_declared_type("CLOB"), SqlType::text());
  EXPECT_EQ(sqlite_declared_type("BLOB"), SqlType::bytes());
  EXPECT_EQ(sqlite_declared_type("DOUBLE PRECISION"), SqlType::double_precision());
  EXPECT_EQ(sqlite_declared_type("Boolean"), SqlType::boolean());
  EXPECT_EQ(sqlite_declared_type("DATE"), SqlType::date());
  EXPECT_EQ(sqlite_declared_type("DATETIME"), SqlType::timestamp());
  EXPECT_EQ(sqlite_declared_type("timestamp"), SqlType::timestamp());
  EXPECT_EQ(sqlite_declared_type("TIME"), SqlType::time());
  EXPECT_EQ(sqlite_declared_type("DECIMAL(10,2)"), SqlType::numeric(10, 2));
  EXPECT_EQ(sqlite_declared_type("numeric(38, 0)"), SqlType::numeric(38, 0));
  EXPECT_EQ(sqlite_declared_type("NUMERIC"), SqlType::double_precision());
  EXPECT_EQ(sqlite_declared_type("DECIMAL(40,2)"), SqlType::double_precision());
  EXPECT_EQ(sqlite_declared_type("money"), SqlType::double_precision()); // NUMERIC affinity
  EXPECT_FALSE(sqlite_declared_type(""));
}

TEST(OdbcTypes, GenericMapping) {
  EXPECT_EQ(map_odbc_type(SQL_BIT, 1, 0).type, SqlType::boolean());
  EXPECT_EQ(map_odbc_type(SQL_TINYINT, 3, 0).type, SqlType::small_int());
  EXPECT_EQ(map_odbc_type(SQL_INTEGER, 10, 0).type, SqlType::integer());
  EXPECT_EQ(map_odbc_type(SQL_BIGINT, 19, 0).type, SqlType::big_int());
  EXPECT_EQ(map_odbc_type(SQL_FLOAT, 15, 0).type, SqlType::double_precision());
  EXPECT_EQ(map_odbc_type(SQL_DECIMAL, 12, 2).type, SqlType::numeric(12, 2));
  EXPECT_EQ(map_odbc_type(SQL_NUMERIC, 38, 10).type, SqlType::numeric(38, 10));
  const auto wide = map_odbc_type(SQL_NUMERIC, 60, 10);
  EXPECT_EQ(wide.type, SqlType::double_precision());
  EXPECT_FALSE(wide.exact);
  EXPECT_EQ(map_odbc_type(SQL_WLONGVARCHAR, 0, 0).type, SqlType::text());
  EXPECT_EQ(map_odbc_type(SQL_GUID, 36, 0).type, SqlType::text());
  EXPECT_EQ(map_odbc_type(SQL_VARBINARY, 16, 0).type, SqlType::bytes());
  EXPECT_EQ(map_odbc_type(SQL_TYPE_DATE, 10, 0).type, SqlType::date());
  EXPECT_EQ(map_odbc_type(SQL_TYPE_TIME, 8, 0).type, SqlType::time());
  EXPECT_EQ(map_odbc_type(SQL_TYPE_TIMESTAMP, 26, 6).type, SqlType::timestamp());
  const auto interval = map_odbc_type(SQL_INTERVAL_DAY_TO_SECOND, 0, 6);
  EXPECT_EQ(interval.type, SqlType::text());
  EXPECT_FALSE(interval.exact);
}

} // namespace
} // namespace hyperpipe::sources::database

namespace hyperpipe::sources::database {
namespace {

TEST(QueryText, QueriesBecomeSubqueriesWhateverTheyEndWith) {
  EXPECT_EQ(as_subquery("SELECT 1"), "(\nSELECT 1\n)");
  EXPECT_EQ(as_subquery("SELECT 1;\n  "), "(\nSELECT 1\n)");
  EXPECT_EQ(as_subquery("SELECT 1; -- done\n"), "(\nSELECT 1\n)");
  EXPECT_EQ(as_subquery("SELECT 1 -- one\n;"), "(\nSELECT 1\n)");
  EXPECT_EQ(as_subquery("SELECT '--' AS dashes"), "(\nSELECT '--' AS dashes\n)");
  EXPECT_EQ(as_subquery("SELECT 1 AS \"a--b\""), "(\nSELECT 1 AS \"a--b\"\n)");
  EXPECT_EQ(as_subquery("SELECT $$x--y$$ AS t;"), "(\nSELECT $$x--y$$ AS t\n)");
  EXPECT_EQ(as_subquery("SELECT 1\n-- a comment ending the query"), "(\nSELECT 1\n)");
  EXPECT_EQ(table_reference("orders"), "\"orders\"");
  EXPECT_EQ(table_reference("sales.orders"), "\"sales\".\"orders\"");
  EXPECT_EQ(table_reference("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(table_reference("t", '`'), "`t`");
}

} // namespace
} // namespace hyperpipe::sources::database
