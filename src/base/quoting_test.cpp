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
