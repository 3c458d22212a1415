// The watermark step without hyperd: its statements, and its decisions against a fake staged file.
#include "pipeline/run/watermark.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace hyperpipe::pipeline {
namespace {

QueryResult value(std::optional<std::string> text, std::optional<SqlType> type = SqlType::big_int()) {
  QueryResult result;
  result.columns.push_back({"v", type, 0, -1});
  result.rows.push_back({std::move(text)});
  return result;
}

// Answers by statement; records what ran.
struct FakeStaged {
  std::map<std::string, QueryResult, std::less<>> answers;
  std::vector<std::string> ran;
  StagedDatabase database() {
    return {[this](std::string_view sql) -> Result<QueryResult> {
              ran.emplace_back(sql);
              const auto found = answers.find(sql);
              if (found == answers.end()) {
                return make_error(ErrorKind::sql, fmt::format("unexpected statement {}", sql));
              }
              return found->second;
            },
            [] { return Result<ExtractInfo>(ExtractInfo{}); }};
  }
};

TEST(Watermark, StatementsQuoteNamesAndTheValue) {
  const WatermarkInput input{"orders", "updated at", std::string("2026-01-01 10:00:00"), "TIMESTAMP", {"orders"}};
  EXPECT_EQ(watermark_sql::largest(input), R"(SELECT MAX("updated at") FROM "public"."orders")");
  EXPECT_EQ(watermark_sql::delete_stale(input, "it's", "TIMESTAMP"),
            R"(DELETE FROM "public"."orders" WHERE "updated at" IS NULL OR NOT ("updated at" > CAST('it''s' AS TIMESTAMP)))");
  const ForeignKey key{{"_parent_id"}, TableName{"public", "orders"}, {"_row_id"}};
  EXPECT_EQ(watermark_sql::orphans(key, TableName{"public", "orders_items"}),
            R"("public"."orders_items" AS c WHERE NOT EXISTS (SELECT 1 FROM "public"."orders" AS p WHERE p."_row_id" = c."_parent_id"))");
}

TEST(Watermark, RowsAtOrBelowAreDroppedAndCountedAndTheWatermarkAdvances) {
  const WatermarkInput input{"orders", "id", std::string("10"), "BIGINT", {"orders"}};
  FakeStaged staged;
  staged.answers[watermark_sql::count_stale(input, "10", "BIGINT")] = value("3");
  staged.answers[watermark_sql::delete_stale(input, "10", "BIGINT")] = QueryResult{};
  staged.answers[watermark_sql::largest(input)] = value("42");
  const auto outcome = apply_watermark(input, staged.database());
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(outcome->skipped, 3U);
  EXPECT_EQ(outcome->watermark_after, std::optional<std::string>("42"));
  EXPECT_EQ(outcome->type, "BIGINT");
  EXPECT_NE(std::find(staged.ran.begin(), staged.ran.end(), watermark_sql::delete_stale(input, "10", "BIGINT")),
            staged.ran.end());
}

TEST(Watermark, NothingNewKeepsTheOldWatermarkAndAMalformedCountIsAnError) {
  const WatermarkInput input{"orders", "id", std::string("10"), "", {"orders"}};
  FakeStaged staged;
  staged.answers[watermark_sql::count_stale(input, "10", "BIGINT")] = value("0");
  staged.answers[watermark_sql::largest(input)] = value(std::nullopt);
  auto outcome = apply_watermark(input, staged.database());
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(outcome->skipped, 0U);
  EXPECT_EQ(outcome->watermark_after, std::optional<std::string>("10"));

  staged.answers[watermark_sql::count_stale(input, "10", "BIGINT")] = value("lots");
  outcome = apply_watermark(input, staged.database());
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message.find("\"lots\" is not a count"), std::string::npos) << outcome.error().message;
}

TEST(Watermark, TheTypeItWasTakenInWinsOverTheStagedOne) {
  const WatermarkInput input{"orders", "id", std::string("10"), "NUMERIC(18,0)", {"orders"}};
  FakeStaged staged;
  staged.answers[watermark_sql::largest(input)] = value("12");
  staged.answers[watermark_sql::count_stale(input, "10", "NUMERIC(18,0)")] = value("0");
  const auto outcome = apply_watermark(input, staged.database());
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(outcome->type, "NUMERIC(18,0)");
}

} // namespace
} // namespace hyperpipe::pipeline
