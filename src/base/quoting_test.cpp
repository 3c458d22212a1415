#include "base/quoting.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::base {
namespace {

TEST(Quoting, IdentifiersDoubleEmbeddedQuotes) {
  EXPECT_EQ(quote_identifier("Extract"), "\"Extract\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_identifier(""), "\"\"");
  EXPECT_EQ(quote_identifier("/tmp/x y/\"q\".hyper"), "\"/tmp/x y/\"\"q\"\".hyper\"");
  EXPECT_EQ(quote_identifier("\xC3\xA9t\xC3\xA9"), "\"\xC3\xA9t\xC3\xA9\"");
}

TEST(Quoting, LiteralsDoubleSingleQuotesAndKeepBackslashes) {
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
  EXPECT_EQ(quote_literal("a\\b"), "'a\\b'");
  EXPECT_EQ(quote_literal("'; DROP TABLE x; --"), "'''; DROP TABLE x; --'");
}

} // namespace
} // namespace hyperpipe::base

namespace hyperpipe::base {
namespace {

TEST(Bounded, ShortTextIsUntouched) { EXPECT_EQ(bounded("SELECT 1", 100), "SELECT 1"); }

TEST(Bounded, LongTextKeepsItsStartAndEndAndSaysHowMuchWasCut) {
  const std::string text = "SELECT " + std::string(10'000, 'x') + " FROM t";
  const std::string cut = bounded(text, 400);
  EXPECT_LT(cut.size(), 460U);
  EXPECT_TRUE(cut.starts_with("SELECT xxx"));
  EXPECT_TRUE(cut.ends_with("x FROM t"));
  EXPECT_NE(cut.find(" … [9614 characters cut] … "), std::string::npos) << cut;
}

TEST(Bounded, NeverSplitsAUtf8Character) {
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    text += "€"; // three bytes each
  }
  const std::string cut = bounded(text, 100);
  const auto marker = cut.find(" … [");
  ASSERT_NE(marker, std::string::npos);
  EXPECT_EQ(marker % 3, 0U) << "the head ends inside a character";
  const auto tail = cut.substr(cut.find("] … ") + std::string_view("] … ").size());
  EXPECT_EQ(tail.size() % 3, 0U) << "the tail starts inside a character";
}

} // namespace
} // namespace hyperpipe::base
