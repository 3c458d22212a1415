#include "sources/csv/tail_sample.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::sources {
namespace {

TEST(TailRecords, DropsThePartialFirstLineAndKeepsWholeOnes) {
  const CsvDialect dialect;
  EXPECT_EQ(tail_records("7,abc\n8,\"Lima, Peru\",x\n9,\"a \"\"b\"\"\"\n", dialect),
            "8,\"Lima, Peru\",x\n9,\"a \"\"b\"\"\"\n");
  EXPECT_EQ(tail_records("partial\r\n10,20\r\n", dialect), "10,20\r\n");
}

TEST(TailRecords, RefusesWhatCannotBeSplitIntoRecordsFromTheMiddle) {
  const CsvDialect dialect;
  // Inside a quoted field with a line break: its closing line has an odd number of quotes.
  EXPECT_FALSE(tail_records("xx\nsecond line of a note\nend of it\",7\n8,9\n", dialect).has_value());
  // A whole multi-line field: its opening line is odd too.
  EXPECT_FALSE(tail_records("xx\n1,\"a\nb\",2\n", dialect).has_value());
  // No whole line, or nothing but line breaks.
  EXPECT_FALSE(tail_records("no line break at all", dialect).has_value());
  EXPECT_FALSE(tail_records("partial\n\r\n", dialect).has_value());
  // A backslash escape: quotes do not pair.
  CsvDialect backslash;
  backslash.escape = '\\';
  EXPECT_FALSE(tail_records("x\n1,\"a \\\" b\"\n", backslash).has_value());
}

} // namespace
} // namespace hyperpipe::sources
