// The row-source contract, as the pump relies on it, for the file formats: tables first, then
// batches of the given columns, with read = delivered + rejected, and a sampled type too narrow
// for a later value stopping the read instead of losing the row.
#include <gtest/gtest.h>

#include <fstream>

#include "sources/csv/csv_source.hpp"
#include "sources/json/json_source.hpp"
#include "support/temp_dir.hpp"

namespace hyperpipe::sources {
namespace {

// Counts the rows delivered, each batch checked whole.
struct Delivered {
  std::uint64_t rows = 0;
  std::size_t batches = 0;
  BatchSink sink() {
    return [this](const ColumnBatch& batch) -> Status {
      HP_TRY(batch.check_complete());
      rows += batch.row_count();
      ++batches;
      return {};
    };
  }
};

// Counts rejected rows instead of writing them anywhere.
class CountingRejects final : public RejectSink {
public:
  Status reject(const RejectedRow& row) override {
    reasons.push_back(row.reason);
    return {};
  }
  std::uint64_t rejected() const override { return reasons.size(); }
  std::vector<std::string> reasons;
};

std::filesystem::path write_file(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path;
}

std::vector<bool> all(const TableDefinition& table, bool provisional) {
  return std::vector<bool>(table.columns.size(), provisional);
}

TEST(RowSource, CsvOffersItsTableThenEveryRowAccounted) {
  testing::TempDir dir;
  auto source = CsvSource::open(write_file(dir, "a.csv", "id,amount\n1,2.5\n2,x\n3,4\n"), {}).value();
  const auto tables = source->tables(TableName{"s", "t"});
  ASSERT_EQ(tables.size(), 1U);
  EXPECT_EQ(tables[0].definition.name, (TableName{"s", "t"}));
  EXPECT_EQ(tables[0].definition.columns[1].type.kind(), TypeKind::text); // "x" among numbers
  ASSERT_EQ(tables[0].inferences.size(), 2U);                           // so files of one table can merge
  EXPECT_FALSE(tables[0].child);

  // amount overridden to a number: the "x" row is rejected, not lost.
  TableDefinition definition = tables[0].definition;
  definition.columns[1].type = SqlType::double_precision();
  Delivered delivered;
  CountingRejects rejects;
  std::vector<bool> provisional{true, false};
  const TableRead read = source->read(0, definition, provisional, delivered.sink(), rejects).value();
  EXPECT_EQ(read.rows_read, 3U);
  EXPECT_EQ(read.rows_rejected, 1U);
  EXPECT_EQ(delivered.rows, 2U);
  EXPECT_EQ(read.rows_read, delivered.rows + read.rows_rejected);
  ASSERT_EQ(rejects.reasons.size(), 1U);
  EXPECT_NE(rejects.reasons[0].find("amount"), std::string::npos);
  EXPECT_FALSE(read.widening);
}

TEST(RowSource, CsvStopsAtAValueWiderThanItsSampledTypeWithTheRowsBeforeDelivered) {
  testing::TempDir dir;
  CsvOptions options;
  options.sample_rows = 2;
  auto source = CsvSource::open(write_file(dir, "a.csv", "n\n1\n2\n3\n4.75\n5\n"), options).value();
  const TableDefinition definition = source->tables(TableName{"s", "t"})[0].definition;
  EXPECT_EQ(definition.columns[0].type.kind(), TypeKind::integer);
  Delivered delivered;
  CountingRejects rejects;
  const TableRead read = source->read(0, definition, all(definition, true), delivered.sink(), rejects).value();
  ASSERT_TRUE(read.widening);
  EXPECT_EQ(read.widening->value, "4.75");
  EXPECT_EQ(read.widening->line, 5U);
  EXPECT_EQ(delivered.rows, 3U);
  EXPECT_EQ(read.rows_read, 3U); // the stopping row is not counted: it will be read again
  EXPECT_EQ(rejects.rejected(), 0U);
}

TEST(RowSource, CsvRejectsRatherThanWidensATypeTheCallerFixed) {
  testing::TempDir dir;
  CsvOptions options;
  options.sample_rows = 2;
  auto source = CsvSource::open(write_file(dir, "a.csv", "n\n1\n2\n4.75\n"), options).value();
  const TableDefinition definition = source->tables(TableName{"s", "t"})[0].definition;
  Delivered delivered;
  CountingRejects rejects;
  const TableRead read = source->read(0, definition, all(definition, false), delivered.sink(), rejects).value();
  EXPECT_FALSE(read.widening);
  EXPECT_EQ(read.rows_read, 3U);
  EXPECT_EQ(read.rows_rejected, 1U);
  EXPECT_EQ(delivered.rows, 2U);
}

TEST(RowSource, JsonOffersRootThenChildTablesEachAccounted) {
  testing::TempDir dir;
  const auto path = write_file(dir, "a.json",
                               R"([{"id": 1, "items": [{"sku": "a"}, {"sku": "b"}]}, {"id": 2, "items": []}, {"id": 3}])");
  auto source = JsonSource::open(path, {}).value();
  const auto tables = source->tables(TableName{"s", "orders"});
  ASSERT_EQ(tables.size(), 2U);
  EXPECT_EQ(tables[0].definition.name, (TableName{"s", "orders"}));
  EXPECT_EQ(tables[1].definition.name, (TableName{"s", "orders_items"}));
  EXPECT_FALSE(tables[0].child);
  EXPECT_TRUE(tables[1].child);
  CountingRejects rejects;
  Delivered root;
  const TableRead records =
      source->read(0, tables[0].definition, all(tables[0].definition, false), root.sink(), rejects).value();
  EXPECT_EQ(records.rows_read, 3U);
  EXPECT_EQ(root.rows, 3U);
  Delivered children;
  const TableRead items =
      source->read(1, tables[1].definition, all(tables[1].definition, false), children.sink(), rejects).value();
  EXPECT_EQ(items.rows_read, 2U);
  EXPECT_EQ(children.rows, 2U);
  EXPECT_EQ(items.rows_rejected, 0U);
}

} // namespace
} // namespace hyperpipe::sources
