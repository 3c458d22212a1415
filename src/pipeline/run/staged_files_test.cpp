#include "pipeline/run/staged_files.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::pipeline {
namespace {

ExtractInfo one_table(int version, TableDefinition table) {
  ExtractInfo info;
  info.file_version = version;
  info.tables.push_back({std::move(table), 0});
  return info;
}

TEST(FitsAsOutput, OnlyWhatACopyThroughTheWorkspaceWouldMake) {
  TableDefinition table{TableName{"public", "orders"}, {}, {}, {}};
  table.add("id", SqlType::big_int()).add("note", SqlType::text());
  EXPECT_TRUE(fits_as_output(one_table(2, table), 2, "orders"));
  EXPECT_FALSE(fits_as_output(one_table(3, table), 2, "orders")); // another file version
  EXPECT_FALSE(fits_as_output(one_table(2, table), 2, "other"));
  TableDefinition keyed = table;
  keyed.primary_key = {"id"};
  EXPECT_FALSE(fits_as_output(one_table(2, keyed), 2, "orders"));
  TableDefinition not_null = table;
  not_null.columns[0].nullability = Nullability::not_null;
  EXPECT_FALSE(fits_as_output(one_table(2, not_null), 2, "orders"));
  ExtractInfo two = one_table(2, table);
  two.tables.push_back(two.tables[0]);
  EXPECT_FALSE(fits_as_output(two, 2, "orders"));
}

TEST(WorkspaceBase, TheLargestOfTheNewestVersionNotGoingStraightIntoAnOutput) {
  EXPECT_EQ(workspace_base({{100, 3, false}, {900, 3, true}, {500, 3, false}, {800, 2, false}}, 3), 2U);
  EXPECT_EQ(workspace_base({{100, 3, false}, {std::nullopt, 3, false}}, 3), 0U); // an unreadable file is not it
  EXPECT_FALSE(workspace_base({{100, 2, false}}, 3).has_value()); // older than the staging version: a new one
  EXPECT_FALSE(workspace_base({{100, 3, true}}, 3).has_value());  // every source goes straight into an output
}

} // namespace
} // namespace hyperpipe::pipeline
