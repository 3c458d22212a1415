#include "sources/xlsx/xlsx_reader.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::sources {
namespace {

TEST(XlsxReader, CellReferencesToColumns) {
  EXPECT_EQ(column_of_reference("A1"), 0U);
  EXPECT_EQ(column_of_reference("Z9"), 25U);
  EXPECT_EQ(column_of_reference("AA10"), 26U);
  EXPECT_EQ(column_of_reference("XFD1048576"), 16383U);
  EXPECT_FALSE(column_of_reference("1A").has_value());
  EXPECT_FALSE(column_of_reference("ABCD1").has_value());
}

TEST(XlsxReader, DateFormatCodes) {
  EXPECT_TRUE(is_date_format("yyyy-mm-dd"));
  EXPECT_TRUE(is_date_format("[$-409]d/m/yy\\ h:mm;@"));
  EXPECT_TRUE(is_date_format("[h]:mm:ss"));
  EXPECT_FALSE(is_date_format("0.00"));
  EXPECT_FALSE(is_date_format("#,##0 \"days\""));
  EXPECT_FALSE(is_date_format("[Red]0.00"));
  EXPECT_FALSE(is_date_format("General"));
}

} // namespace
} // namespace hyperpipe::sources
