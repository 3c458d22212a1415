#include "sources/csv/csv_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace hyperpipe::sources {
namespace {

// Hands out one byte per read, so every record and field crosses chunk boundaries.
class TrickleInput final : public io::InputStream {
public:
  explicit TrickleInput(std::string bytes) : m_bytes(std::move(bytes)) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (m_offset == m_bytes.size() || size == 0) {
      return std::size_t{0};
    }
    buffer[0] = m_bytes[m_offset++];
    return std::size_t{1};
  }

private:
  std::string m_bytes;
  std::size_t m_offset = 0;
};

struct Parsed {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::uint64_t> lines;
  std::vector<std::vector<bool>> quoted;
};

Result<Parsed> parse(const std::string& text, CsvDialect dialect = {}, bool trickle = false) {
  std::unique_ptr<io::InputStream> input =
      trickle ? std::unique_ptr<io::InputStream>(std::make_unique<TrickleInput>(text)) : io::memory_input(text);
  CsvReader reader(std::move(input), dialect, "t.csv");
  CsvRecord record;
  Parsed parsed;
  for (;;) {
    HP_ASSIGN_OR_RETURN(bool more, reader.next(record));
    if (!more) {
      return parsed;
    }
    parsed.rows.emplace_back(record.fields.begin(), record.fields.end());
    parsed.lines.push_back(record.line);
    parsed.quoted.push_back(record.quoted);
  }
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReader, QuotesDelimitersAndLineEnds) {
  for (bool trickle : {false, true}) {
    const auto parsed = parse("a,\"b,c\",\"d \"\"e\"\"\"\r\n1,,\"\"\r2,x,y\n", {}, trickle).value();
    EXPECT_EQ(parsed.rows, (Rows{{"a", "b,c", "d \"e\""}, {"1", "", ""}, {"2", "x", "y"}}));
    EXPECT_EQ(parsed.lines, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(parsed.quoted[1], (std::vector<bool>{false, false, true})); // "" is a quoted empty string
  }
}

TEST(CsvReader, QuotedNewlinesKeepLineNumbersRight) {
  const auto parsed = parse("h\n\"two\nlines\"\nnext\n").value();
  EXPECT_EQ(parsed.rows, (Rows{{"h"}, {"two\nlines"}, {"next"}}));
  EXPECT_EQ(parsed.lines, (std::vector<std::uint64_t>{1, 2, 4}));
}

TEST(CsvReader, LastRecordWithoutNewline) {
  EXPECT_EQ(parse("a,b\n1,2").value().rows, (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvReader, BackslashEscapeAndOtherDelimiters) {
  CsvDialect dialect;
  dialect.delimiter = '\t';
  dialect.escape = '\\';
  EXPECT_EQ(parse("\"a\\\"b\"\tc\\d\n", dialect).value().rows, (Rows{{"a\"b", "c\\d"}}));
}

TEST(CsvReader, UnterminatedQuoteNamesWhereItOpened) {
  const auto parsed = parse("a,b\n1,\"open\n2,3\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message,
            "t.csv:4: unterminated quoted field (the quote opened on line 2 is never closed)");
}

TEST(CsvReader, TextAfterAClosingQuoteIsKept) {
  EXPECT_EQ(parse("\"ab\"c,d\n").value().rows, (Rows{{"abc", "d"}}));
}

} // namespace
} // namespace hyperpipe::sources
