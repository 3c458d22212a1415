// The sync state survives a write and a read exactly (pending batches, their ids and actions),
// and a damaged file is refused with a way out.
#include <gtest/gtest.h>

#include <fstream>

#include "pipeline/state/sync_state.hpp"
#include "support/temp_dir.hpp"

namespace hyperpipe::pipeline {
namespace {

TEST(SyncState, PendingBatchesRoundTripWithTheirRequestIds) {
  testing::TempDir dir;
  SyncState state;
  SyncTarget& target = state.targets["sales#0"];
  target = {"https://t", "", "Finance", "Sales, daily", "ds-1", "2026-01-01T00:00:02Z", {}, 0, std::nullopt};
  target.pending = SyncTarget::Pending{
      "2026-12-05T06:00:00Z",
      {{dir.path() / "changes-2-0.hyper",
        {{publish::DataActionKind::remove, "Extract", "o__delete", "Extract", "o", {"id"}},
         {publish::DataActionKind::upsert, "Extract", "o__upsert", "Extract", "o", {"id"}}},
        "hyperpipe-00ff-1"},
       {std::nullopt, {}, "hyperpipe-00ff-2"}},
      1,
      "next.hyper",
      42,
      "2026-01-01T00:00:03Z"};
  target.keys = {{"\"Extract\".\"o\"", {"id"}}};
  target.refused = 1;
  state.targets["other#1"] = {"https://u", "s", "", "Other", "ds-2", "x", {}, 0, std::nullopt};
  ASSERT_TRUE(write_sync_state(dir.path() / "p.sync.json", state).ok());
  const auto read = read_sync_state(dir.path() / "p.sync.json");
  ASSERT_TRUE(read.ok()) << read.error().describe();
  ASSERT_EQ(read->targets.size(), 2U);
  const SyncTarget& back = read->targets.at("sales#0");
  EXPECT_EQ(back.name, "Sales, daily");
  EXPECT_EQ(back.updated_at, "2026-01-01T00:00:02Z");
  ASSERT_TRUE(back.pending.has_value());
  EXPECT_EQ(back.pending->done, 1U);
  EXPECT_EQ(back.pending->next, "next.hyper");
  EXPECT_EQ(back.pending->next_inode, 42U);
  EXPECT_EQ(back.pending->updated_at, "2026-01-01T00:00:03Z");
  EXPECT_EQ(back.keys.at("\"Extract\".\"o\""), std::vector<std::string>{"id"});
  EXPECT_EQ(back.refused, 1);
  ASSERT_EQ(back.pending->batches.size(), 2U);
  EXPECT_EQ(back.pending->batches[0].request_id, "hyperpipe-00ff-1");
  EXPECT_EQ(back.pending->batches[0].payload, std::optional(dir.path() / "changes-2-0.hyper"));
  ASSERT_EQ(back.pending->batches[0].actions.size(), 2U);
  EXPECT_EQ(back.pending->batches[0].actions[0].kind, publish::DataActionKind::remove);
  EXPECT_EQ(back.pending->batches[0].actions[1].key, std::vector<std::string>{"id"});
  EXPECT_FALSE(back.pending->batches[1].payload.has_value());
  EXPECT_FALSE(read->targets.at("other#1").pending.has_value());
}

TEST(SyncState, AMissingFileIsEmptyAndADamagedOneIsRefusedWithAWayOut) {
  testing::TempDir dir;
  const auto missing = read_sync_state(dir.path() / "none.json");
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->targets.empty());
  std::ofstream(dir.path() / "bad.json") << "{\"targets\": {\"a#0\": {\"server\": 1}}}";
  const auto bad = read_sync_state(dir.path() / "bad.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().hint.find("publishes each sync target whole"), std::string::npos);
}

} // namespace
} // namespace hyperpipe::pipeline
