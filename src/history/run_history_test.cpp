// The run history: records, newest first, per pipeline, and bounded.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "history/run_history.hpp"
#include "support/temp_dir.hpp"

namespace hyperpipe::history {
namespace {

RunRecord run(const std::string& pipeline, int n, bool ok) {
  RunRecord record;
  record.pipeline = pipeline;
  record.started = fmt::format("2026-11-25T10:{:02d}:00.000Z", n);
  record.finished = fmt::format("2026-11-25T10:{:02d}:30.000Z", n);
  record.status = ok ? "succeeded" : "failed";
  record.trigger = n % 2 == 0 ? "schedule" : "manual";
  record.seconds = 30;
  record.rows = static_cast<std::uint64_t>(n) * 100;
  record.outputs = "o: rows";
  record.report = "/r.json";
  record.error = ok ? "" : "source s: HTTP 500";
  return record;
}

TEST(RunHistory, RecordsNewestFirstPerPipelineAndKeepsABoundedNumber) {
  testing::TempDir dir;
  {
    auto history = RunHistory::open(dir.path() / "history.sqlite").value();
    for (int n = 1; n <= 7; ++n) {
      ASSERT_TRUE(history.record(run("a", n, n != 3), 5).ok());
    }
    ASSERT_TRUE(history.record(run("b", 1, true), 5).ok());
  }
  // Reopened: the runs are on disk.
  auto history = RunHistory::open(dir.path() / "history.sqlite").value();
  const auto runs = history.list("a", 100).value();
  ASSERT_EQ(runs.size(), 5U); // the two oldest of seven were pruned
  EXPECT_EQ(runs.front().started, "2026-11-25T10:07:00.000Z");
  EXPECT_EQ(runs.back().started, "2026-11-25T10:03:00.000Z");
  EXPECT_EQ(runs.back().status, "failed");
  EXPECT_EQ(runs.back().error, "source s: HTTP 500");
  EXPECT_EQ(runs.front().rows, 700U);
  EXPECT_EQ(runs.front().trigger, "manual");
  EXPECT_EQ(history.list("", 100).value().size(), 6U);
  EXPECT_EQ(history.list("a", 2).value().size(), 2U);
}

TEST(RunHistory, AnUnopenableFileIsAnError) {
  testing::TempDir dir;
  const auto opened = RunHistory::open(dir.path() / "missing-folder" / "history.sqlite");
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("run history: cannot open"), std::string::npos);
}

} // namespace
} // namespace hyperpipe::history
