// The actions of Update Data in Hyper Data Source as the server reads them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "publish/update_actions.hpp"

namespace hyperpipe::publish {
namespace {

TEST(UpdateActions, AKeyOfOneColumnIsAnEqAndOfSeveralAnAndOfEqs) {
  const std::vector<DataAction> actions{
      {DataActionKind::remove, "Extract", "orders__delete", "Extract", "orders", {"id"}},
      {DataActionKind::upsert, "Extract", "lines__upsert", "Extract", "lines", {"order", "line"}},
      {DataActionKind::replace, "Extract", "regions__replace", "Extract", "regions", {}}};
  ASSERT_TRUE(check_actions(actions).ok());
  const auto body = nlohmann::json::parse(actions_json(actions));
  ASSERT_EQ(body.at("actions").size(), 3U);
  const auto& remove = body["actions"][0];
  EXPECT_EQ(remove["action"], "delete");
  EXPECT_EQ(remove["source-table"], "orders__delete");
  EXPECT_EQ(remove["target-table"], "orders");
  EXPECT_EQ(remove["condition"], (nlohmann::json{{"op", "eq"}, {"source-col", "id"}, {"target-col", "id"}}));
  const auto& upsert = body["actions"][1];
  EXPECT_EQ(upsert["condition"]["op"], "and");
  ASSERT_EQ(upsert["condition"]["args"].size(), 2U);
  EXPECT_EQ(upsert["condition"]["args"][1]["target-col"], "line");
  EXPECT_FALSE(body["actions"][2].contains("condition")) << "replace matches no rows";
}

TEST(UpdateActions, AKeyIsRequiredWhereRowsAreMatchedAndRefusedWhereNot) {
  EXPECT_FALSE(check_actions({{DataActionKind::upsert, "s", "t", "s", "t", {}}}).ok());
  EXPECT_FALSE(check_actions({{DataActionKind::update, "s", "t", "s", "t", {}}}).ok());
  EXPECT_FALSE(check_actions({{DataActionKind::insert, "s", "t", "s", "t", {"id"}}}).ok());
  EXPECT_FALSE(check_actions({}).ok());
  EXPECT_EQ(parse_data_action("delete").value(), DataActionKind::remove);
  EXPECT_FALSE(parse_data_action("merge").ok());
}

} // namespace
} // namespace hyperpipe::publish
