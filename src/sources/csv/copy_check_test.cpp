#include "sources/csv/copy_check.hpp"

#include <gtest/gtest.h>

#include <random>
#include <tuple>

namespace hyperpipe::sources {
namespace {

const std::vector<SqlType> k_columns = {SqlType::big_int(), SqlType::numeric(7, 2), SqlType::text(), SqlType::date(),
                                        SqlType::timestamp(), SqlType::boolean()};

// The whole `text` fed in pieces of `piece` bytes: the verdict must not depend on the cuts.
CopyCheck checked(std::string_view text, std::size_t piece, bool header = true) {
  CopyCheck check(CsvDialect{}, k_columns, header, std::size_t{1} << 20U);
  bool alike = true;
  for (std::size_t at = 0; at < text.size() && alike; at += piece) {
    alike = check.feed(text.substr(at, piece));
  }
  if (alike) {
    check.finish();
  }
  return check;
}

TEST(CopyReadsEnd, RefusesAFileEndingWithABlankLine) {
  for (const char* end : {"a,b", "a,b\n", "a,b\r\n", "\"\n\"\n", ""}) {
    EXPECT_TRUE(copy_reads_end(end)) << end;
  }
  for (const char* end : {"b\n\n", "b\r\n\r\n", "b\n\r\n", "\n", "\r\n", "b\r\r\n"}) {
    EXPECT_FALSE(copy_reads_end(end)) << end;
  }
}

TEST(CopyCheck, PassesAPlainFileWhateverTheCuts) {
  const std::string file = "id,amount,note,day,seen,ok\n"
                           "1,12.50,plain,2024-01-05,2024-01-05 10:11:12,true\n"
                           "2,,\"quoted, with \"\"quotes\"\"\nand a line break\",,,false\r\n"
                           "3,-0.5,\"\",2024-02-29,2024-02-29T00:00:00.5,\n"
                           "4,1,ünïcode,2024-01-01,2024-01-01 00:00:00,true";
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{64}, file.size()}) {
    const CopyCheck check = checked(file, piece);
    EXPECT_EQ(check.doubt(), "") << piece;
    EXPECT_EQ(check.rows(), 4U) << piece;
  }
}

TEST(CopyCheck, NamesTheFirstDoubtWithItsLine) {
  const std::string head = "id,amount,note,day,seen,ok\n1,1.00,a,2024-01-05,2024-01-05 10:11:12,true\n";
  const std::pair<std::string, std::string> cases[] = {
      {"\n", "line 3: a blank line"},
      {"2,1.00,a\"b,,,\n", "line 3: a quote character inside an unquoted field"},
      {"2,1.00,\"a\"b,,,\n", "line 3: text after a closing quote"},
      {"2,1.00,a,,,\rx", "line 3: a line ending in a lone \\r"},
      {"2,\"\",a,,,\n", "line 3: a quoted empty value in column 2"},
      {"2,1.00,a,,\n", "line 3: 5 fields where the table has 6 columns"},
      {"2,1.001,a,,,\n", "line 3: \"1.001\" in column 2 (NUMERIC(7,2)) is not in the plain form hyperd reads alike"},
      {"2,1.00,a,,,1\n", "line 3: \"1\" in column 6 (BOOLEAN) is not in the plain form hyperd reads alike"},
      {"2,1.00,\"a,,,\n", "line 3: an unterminated quote"},
      {"2,1.00,\xC3(,,,\n", "bytes that are not UTF-8 before line 4"},
  };
  for (const auto& [tail, doubt] : cases) {
    for (std::size_t piece : {std::size_t{3}, std::size_t{1000}}) {
      const CopyCheck check = checked(head + tail, piece);
      EXPECT_EQ(check.doubt().substr(0, doubt.size()), doubt) << tail << " in pieces of " << piece;
    }
  }
}

TEST(CopyCheck, RefusesMarksAtTheStartAndHeadersOverLines) {
  // A UTF-8 byte-order mark only on a header line (hyperd skips it with the line).
  const CopyCheck marked = checked("\xEF\xBB\xBFid,amount,note,day,seen,ok\n1,1.00,a,,,\n", 100);
  EXPECT_EQ(marked.doubt(), "");
  EXPECT_EQ(marked.rows(), 1U);
  EXPECT_NE(checked("\xEF\xBB\xBF" "1,1.00,a,,,\n", 100, false).doubt(), "");
  EXPECT_FALSE(copy_reads_start("\xFF\xFEi", true));
  EXPECT_NE(checked("\x1F\x8B\x08", 100).doubt(), "");
  EXPECT_EQ(checked("id,amount,\"no\nte\",day,seen,ok\n", 100).doubt(), "line 1: a header that spans lines");
  // Without a header the first line is data.
  const CopyCheck data = checked("1,1.00,a,2024-01-05,2024-01-05 10:11:12,true\n", 5, false);
  EXPECT_EQ(data.doubt(), "");
  EXPECT_EQ(data.rows(), 1U);
}

TEST(CopyCheck, LeavesRecordsNearHyperpipesLimitToHyperpipe) {
  // Half of --max-value-mb, counted as hyperpipe counts (bytes plus 8 per field), and 1 MiB at most.
  CopyCheck open(CsvDialect{}, k_columns, false, 4096);
  EXPECT_FALSE(open.feed("1,1.00,\"" + std::string(3000, 'x')));
  EXPECT_EQ(open.doubt(), "line 1: a record longer than 2 KiB (such records are read by hyperpipe, which bounds them)");
  CopyCheck whole(CsvDialect{}, k_columns, false, 4096);
  EXPECT_TRUE(whole.feed("1,1.00," + std::string(1900, 'x') + ",,,\n"));
  EXPECT_FALSE(whole.feed("1,1.00," + std::string(2030, 'x') + ",,,\n"));
  EXPECT_EQ(whole.rows(), 1U);
}

TEST(CopyCheck, AValueDoubtAfterBadUtf8IsNoValueOfHyperpipes) {
  // A record with bytes that are not UTF-8 is left to hyperpipe (it may reject the row before it
  // reads the amount): its value is no reason to widen.
  const CopyCheck check = checked("id,amount,note,day,seen,ok\n1,123456.00,caf\xFF,,,\n", 100);
  EXPECT_FALSE(check.doubtful_value().has_value());
  EXPECT_EQ(check.doubt(), "line 2: bytes that are not UTF-8");
  const CopyCheck wide = checked("id,amount,note,day,seen,ok\n1,123456.00,cafe,,,\n", 100);
  ASSERT_TRUE(wide.doubtful_value().has_value());
  EXPECT_EQ(wide.doubtful_value()->column, 1U);
  EXPECT_EQ(wide.doubtful_value()->text, "123456.00");
  EXPECT_EQ(wide.doubtful_value()->line, 2U);
}

TEST(CopyCheck, OnePassAndFullReadingReachTheSameVerdict) {
  // Records built from plain values and from every kind of noise, in random files and dialects,
  // near the record bound: the one-pass reading of plain records may only ever pass what the full
  // reading passes, with its doubt and doubtful value. Written with , and " then translated.
  const std::vector<std::vector<std::string>> values = {
      {"1", "-9223372036854775808", "9223372036854775808", "007", " 1", "\"12\"", "1e3", "-"},
      {"12345.67", "-0.5", "123456.00", "1.234", ".5", "5.", "\"1.00\"", "\"\""},
      {"text", "\"a, b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "caf\xC3\xA9", "x\"y", "\"\"",
       std::string("a\0b", 3), "\"cr\rinside\"", std::string("\"nul\0inside\"", 12), "caf\xFF", "\"x\"y",
       std::string(40, 'w')},
      {"2024-02-29", "2023-02-29", "01/05/2024", "0000-01-01", "2024-1-05"},
      {"2024-01-05 10:11:12", "2024-01-05T10:11:12.123456", "2024-01-05 24:00:00", "2024-01-05 10:11:12.",
       "2024-01-05 10:11:12.1234567"},
      {"true", "False", "TRUE", "1", "yes", "\"true\"x"}};
  const std::vector<std::string> line_ends = {"\n", "\n", "\n", "\r\n", "\r", "\n\n", ",\n"};
  const std::vector<CsvDialect> dialects = {{',', '"', '"', true}, {';', '"', '"', true}, {'\t', '\'', '\'', true},
                                            {'|', '"', '"', false}};
  std::mt19937 random(20261206);
  int passed = 0;
  int doubted = 0;
  for (int file = 0; file < 4000; ++file) {
    const CsvDialect& dialect = dialects[random() % dialects.size()];
    std::string text = dialect.header ? "id,amount,note,day,seen,ok\n" : "";
    const int records = 1 + static_cast<int>(random() % 12);
    for (int record = 0; record < records; ++record) {
      for (std::size_t column = 0; column < values.size(); ++column) {
        const bool plain = random() % 8 != 0; // mostly the first (plain) value or a NULL
        const auto& choices = values[column];
        text += column > 0 ? "," : "";
        text += plain ? (random() % 4 == 0 ? std::string() : choices[0]) : choices[random() % choices.size()];
      }
      text += random() % 6 == 0 ? line_ends[random() % line_ends.size()] : "\n";
    }
    if (random() % 4 == 0) {
      text.pop_back(); // no line break after the last record
    }
    for (char& c : text) {
      c = c == ',' ? dialect.delimiter : c == '"' ? dialect.quote : c;
    }
    for (std::size_t piece : {text.size(), std::size_t{9}}) {
      // A bound of 100 bytes (counted as hyperpipe counts) that some records pass.
      CopyCheck one_pass(dialect, k_columns, dialect.header, 200);
      CopyCheck full(dialect, k_columns, dialect.header, 200);
      full.without_one_pass();
      for (CopyCheck* check : {&one_pass, &full}) {
        bool alike = true;
        for (std::size_t at = 0; at < text.size() && alike; at += piece) {
          alike = check->feed(std::string_view(text).substr(at, piece));
        }
        if (alike) {
          check->finish();
        }
      }
      ASSERT_EQ(one_pass.doubt(), full.doubt()) << text;
      ASSERT_EQ(one_pass.rows(), full.rows()) << text;
      const auto& value = one_pass.doubtful_value();
      ASSERT_EQ(value.has_value(), full.doubtful_value().has_value()) << text;
      if (value) {
        ASSERT_EQ(std::tie(value->column, value->text, value->line),
                  std::tie(full.doubtful_value()->column, full.doubtful_value()->text, full.doubtful_value()->line));
      }
      (one_pass.doubt().empty() ? passed : doubted) += 1;
    }
  }
  // Both verdicts are common, so neither side of the comparison is idle.
  EXPECT_GT(passed, 500);
  EXPECT_GT(doubted, 500);
}

TEST(CopyReadsDialect, TakesOrdinaryDelimitersAndDoubledQuotesOnly) {
  EXPECT_TRUE(copy_reads_dialect(CsvDialect{}));
  EXPECT_TRUE(copy_reads_dialect(CsvDialect{'\t', '\'', '\'', false}));
  EXPECT_FALSE(copy_reads_dialect(CsvDialect{',', '"', '\\', true})); // backslash escapes: hyperd's are others
  for (char odd : {'\n', '\r', '\0'}) {
    EXPECT_FALSE(copy_reads_dialect(CsvDialect{odd, '"', '"', true}));
    EXPECT_FALSE(copy_reads_dialect(CsvDialect{',', odd, odd, true}));
  }
  EXPECT_FALSE(copy_reads_dialect(CsvDialect{'"', '"', '"', true}));
  // A dialect hyperd reads otherwise is a doubt before any byte is read.
  CopyCheck check(CsvDialect{',', '\n', '\n', false}, {SqlType::text()}, false, 4096);
  EXPECT_FALSE(check.feed("\n\n\nx\n"));
  EXPECT_FALSE(check.doubt().empty());
}

} // namespace
} // namespace hyperpipe::sources
