#include "extract/schema_diff.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::extract {
namespace {

TEST(SchemaDiff, EqualTablesHaveNoDifferences) {
  TableDefinition a;
  a.add("id", SqlType::big_int(), Nullability::not_null).add("name", SqlType::text());
  EXPECT_TRUE(schema_differences(a, a).empty());
}

TEST(SchemaDiff, NamesEveryDifferingColumn) {
  TableDefinition existing;
  existing.add("id", SqlType::big_int(), Nullability::not_null).add("price", SqlType::numeric(10, 2)).add("gone", SqlType::text());
  TableDefinition incoming;
  incoming.add("id", SqlType::big_int(), Nullability::not_null).add("price", SqlType::double_precision()).add("new", SqlType::date());
  const auto differences = schema_differences(existing, incoming);
  ASSERT_EQ(differences.size(), 3U);
  EXPECT_EQ(differences[0], "column \"price\" is NUMERIC(10,2) in the existing table but DOUBLE PRECISION in the new data");
  EXPECT_EQ(differences[1], "column \"new\" (DATE) is not in the existing table");
  EXPECT_EQ(differences[2], "column \"gone\" (TEXT) of the existing table is missing from the new data");
}

TEST(SchemaDiff, NullabilityAndOrderMatter) {
  TableDefinition existing;
  existing.add("a", SqlType::integer(), Nullability::not_null).add("b", SqlType::integer());
  TableDefinition incoming;
  incoming.add("b", SqlType::integer()).add("a", SqlType::integer());
  const auto differences = schema_differences(existing, incoming);
  ASSERT_EQ(differences.size(), 2U);
  EXPECT_EQ(differences[0], "column \"b\" is at position 2 in the existing table but 1 in the new data");
  EXPECT_EQ(differences[1], "column \"a\" is INTEGER NOT NULL in the existing table but INTEGER in the new data");
}

} // namespace
} // namespace hyperpipe::extract
