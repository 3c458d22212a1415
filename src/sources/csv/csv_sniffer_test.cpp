#include "sources/csv/csv_sniffer.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::sources {
namespace {

TEST(CsvSniffer, PicksTheConsistentDelimiter) {
  EXPECT_EQ(sniff_dialect("a,b,c\n1,2,3\n4,5,6\n").delimiter, ',');
  EXPECT_EQ(sniff_dialect("a;b;c\n1,5;2;3\n4;5,1;6\n").delimiter, ';'); // decimal commas
  EXPECT_EQ(sniff_dialect("a\tb\n1\t2\n").delimiter, '\t');
  EXPECT_EQ(sniff_dialect("a|b|c\n1|2|3\n").delimiter, '|');
  EXPECT_EQ(sniff_dialect("a,b\n\"x;y;z\",1\n\"p;q;r\",2\n").delimiter, ',');
}

TEST(CsvSniffer, SingleColumnFallsBackToComma) { EXPECT_EQ(sniff_dialect("name\nalice\nbob\n").delimiter, ','); }

TEST(CsvSniffer, DetectsBackslashEscapes) {
  EXPECT_EQ(sniff_dialect("a,b\n\"say \\\"hi\\\"\",1\n").escape, '\\');
  EXPECT_EQ(sniff_dialect("a,b\n\"say \"\"hi\"\"\",1\n").escape, '"');
}

TEST(CsvSniffer, IgnoresAPartialLastLine) {
  EXPECT_EQ(sniff_dialect("a;b\n1;2\n3;4\n5;\"cut in the mid").delimiter, ';');
}

} // namespace
} // namespace hyperpipe::sources
