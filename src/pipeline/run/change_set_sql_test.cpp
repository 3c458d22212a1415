// The statements of a sync publish's change set, as text (their effect is tested against hyperd
// end to end in tests/python/test_update_data.py).
#include <gtest/gtest.h>

#include "pipeline/run/change_set_sql.hpp"

namespace hyperpipe::pipeline::change_set_sql {
namespace {

TEST(ChangeSetSql, UpsertsAreRowsWithANewKeyOrADifferentColumnAndDeletesAreKeysNoLongerThere) {
  EXPECT_EQ(create_upserts("u", "f", "l", {"id"}, {"id", "name"}),
            "CREATE TABLE u AS SELECT f.\"id\", f.\"name\" FROM f AS f LEFT JOIN l AS o ON o.\"id\" = f.\"id\" WHERE "
            "o.\"id\" IS NULL OR f.\"id\" IS DISTINCT FROM o.\"id\" OR f.\"name\" IS DISTINCT FROM o.\"name\"");
  EXPECT_EQ(create_deletes("d", "f", "l", {"id", "line \"2\""}),
            "CREATE TABLE d AS SELECT o.\"id\", o.\"line \"\"2\"\"\" FROM l AS o WHERE NOT EXISTS (SELECT 1 FROM f AS f WHERE "
            "f.\"id\" = o.\"id\" AND f.\"line \"\"2\"\"\" = o.\"line \"\"2\"\"\")");
}

TEST(ChangeSetSql, KeysAreCheckedOnACopyWithoutTheAssumedKey) {
  EXPECT_EQ(copy_keys("k", "f", {"id"}), "CREATE TEMPORARY TABLE k AS SELECT \"id\" FROM f");
  EXPECT_EQ(duplicate_keys("k", {"a", "b"}),
            "SELECT COUNT(*) FROM (SELECT \"a\", \"b\" FROM k GROUP BY \"a\", \"b\" HAVING COUNT(*) > 1) AS duplicates");
  EXPECT_EQ(null_keys("f", {"a", "b"}), "SELECT COUNT(*) FROM f WHERE \"a\" IS NULL OR \"b\" IS NULL");
}

TEST(ChangeSetSql, InsertedRowsAreThoseWhoseKeyTheLastCopyLacked) {
  EXPECT_EQ(count_inserted("u", "l", {"a", "b"}),
            "SELECT COUNT(*) FROM u AS u WHERE NOT EXISTS (SELECT 1 FROM l AS o WHERE o.\"a\" = u.\"a\" AND o.\"b\" = u.\"b\")");
}

TEST(ChangeSetSql, APartTakesEveryNthRowInKeyOrderWithTheTablesOwnColumnsOnly) {
  EXPECT_EQ(create_part("p", "w", {"id", "name"}, {"id"}, 3, 1),
            "CREATE TABLE p AS SELECT \"id\", \"name\" FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY \"id\") AS hp_position "
            "FROM w) AS numbered WHERE hp_position % 3 = 1");
}

} // namespace
} // namespace hyperpipe::pipeline::change_set_sql
