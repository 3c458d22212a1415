#include <gtest/gtest.h>

#include "hyperpipe/sql_type.hpp"
#include "hyperpipe/table.hpp"

namespace hyperpipe {
namespace {

TEST(SqlType, ParsesCommonSpellings) {
  EXPECT_EQ(*SqlType::parse("int"), SqlType::integer());
  EXPECT_EQ(*SqlType::parse(" BIGINT "), SqlType::big_int());
  EXPECT_EQ(*SqlType::parse("Numeric(10, 2)"), SqlType::numeric(10, 2));
  EXPECT_EQ(*SqlType::parse("varchar(20)"), SqlType::varchar(20));
  EXPECT_EQ(*SqlType::parse("timestamp with time zone"), SqlType::timestamp_tz());
  EXPECT_EQ(*SqlType::parse("geography"), SqlType::geography());
  EXPECT_EQ(*SqlType::parse("numeric"), SqlType::numeric(38, 0));
}

TEST(SqlType, RejectsUnknownTypesWithTheChoices) {
  const auto parsed = SqlType::parse("intger");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "unknown column type \"intger\"");
  EXPECT_NE(parsed.error().hint.find("numeric(p,s)"), std::string::npos);
  EXPECT_FALSE(SqlType::parse("numeric(39,0)").ok());
  EXPECT_FALSE(SqlType::parse("numeric(5,6)").ok());
}

TEST(SqlType, MapsOidsAndTypeModifiers) {
  EXPECT_EQ(*SqlType::from_oid(1700, (10 << 16 | 2) + 4), SqlType::numeric(10, 2));
  EXPECT_EQ(*SqlType::from_oid(1043, 20 + 4), SqlType::varchar(20));
  EXPECT_EQ(*SqlType::from_oid(1042, 3 + 4), SqlType::character(3));
  EXPECT_EQ(*SqlType::from_oid(5003, -1), SqlType::geography());
  EXPECT_FALSE(SqlType::from_oid(99999, -1).ok());
}

TEST(SqlType, FileVersionRequirements) {
  EXPECT_EQ(SqlType::real().minimum_file_version(), 4);
  EXPECT_EQ(SqlType::numeric(19, 0).minimum_file_version(), 3);
  EXPECT_EQ(SqlType::numeric(18, 4).minimum_file_version(), 0);
  EXPECT_EQ(SqlType::text().minimum_file_version(), 0);
}

TEST(TableName, ParsesAndQuotes) {
  EXPECT_EQ(*TableName::parse("sales"), (TableName{"Extract", "sales"}));
  EXPECT_EQ(*TableName::parse("s.t"), (TableName{"s", "t"}));
  EXPECT_EQ(*TableName::parse("\"my.schema\".\"a \"\"b\"\"\""), (TableName{"my.schema", "a \"b\""}));
  EXPECT_EQ((TableName{"my.schema", "a \"b\""}).quoted(), "\"my.schema\".\"a \"\"b\"\"\"");
  EXPECT_FALSE(TableName::parse("a.b.c").ok());
  EXPECT_FALSE(TableName::parse("\"unterminated").ok());
  EXPECT_FALSE(TableName::parse(".t").ok());
}

TEST(TableDefinition, ValidateNamesTheProblem) {
  TableDefinition table{{"Extract", "t"}, {}, {"missing"}, {}};
  table.add("a", SqlType::integer());
  const auto status = table.validate();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "table \"Extract\".\"t\": the primary key names column \"missing\", which the table does not have");
  table.primary_key.clear();
  table.add("a", SqlType::text());
  EXPECT_EQ(table.validate().error().message, "table \"Extract\".\"t\" has two columns named \"a\"");
}

} // namespace
} // namespace hyperpipe
