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

namespace hyperpipe::sources {
namespace {

TEST(ExcelSeparatorLine, NamesTheDelimiterOnlyAsAWholeFirstLine) {
  EXPECT_EQ(excel_separator_line("sep=;\r\na;b\n"), std::optional<char>(';'));
  EXPECT_EQ(excel_separator_line("sep=|\na|b\n"), std::optional<char>('|'));
  EXPECT_EQ(excel_separator_line("sep=\t"), std::optional<char>('\t'));
  EXPECT_FALSE(excel_separator_line("sep=;;\na;b\n")) << "more than one character: data";
  EXPECT_FALSE(excel_separator_line("separator,x\n1,2\n"));
  EXPECT_FALSE(excel_separator_line("id,sep=;\n"));
  EXPECT_EQ(after_first_line("sep=;\r\na;b\n"), "a;b\n");
  EXPECT_EQ(after_first_line("only"), "");
}

} // namespace
} // namespace hyperpipe::sources
