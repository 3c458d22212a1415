// Regional conventions: detected from sampled fields, reported, overridable, and never applied
// half-way (a value that does not fit the file's convention is not a number).
#include <gtest/gtest.h>

#include "sources/text/regional.hpp"
#include "sources/text/type_inference.hpp"

namespace hyperpipe::sources {
namespace {

NumberFormat detect(std::initializer_list<std::string_view> fields, RegionalSettings settings = {},
                    std::vector<std::string>* notes = nullptr) {
  NumberFormatDetector detector;
  for (auto field : fields) {
    detector.observe(field);
  }
  std::vector<std::string> ignored;
  return detector.result(settings, notes != nullptr ? *notes : ignored);
}

TEST(NumberFormat, DecimalCommaWithDotThousandsAndAccountingNegatives) {
  std::vector<std::string> notes;
  const NumberFormat format = detect({"1,50", "1.234,50", "(12,00)", "7", "05.12.2026"}, {}, &notes);
  EXPECT_EQ(format.decimal, ',');
  EXPECT_EQ(format.thousands, ".") << "the date breaks no grouping: it is not shaped as a number";
  EXPECT_TRUE(format.parenthesized_negatives);
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_NE(notes[0].find("decimal comma"), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("detected"), std::string::npos) << notes[0];
}

TEST(NumberFormat, AmbiguousGroupsDecideNothingAndPlainStaysPlain) {
  EXPECT_TRUE(detect({"1,234", "2.5", "3"}).plain() == false) << "\"2.5\" says decimal point; \"1,234\" then groups";
  EXPECT_TRUE(detect({"1.234", "42"}).plain()) << "1.234 could be either: nothing is assumed";
  EXPECT_TRUE(detect({"12", "-3.25", "1e5"}).plain());
  const NumberFormat swiss = detect({"1'234.50", "12'345'678.1"});
  EXPECT_EQ(swiss.decimal, '.');
  EXPECT_EQ(swiss.thousands, "'");
  const NumberFormat french = detect({"1 234,50", "3,1"});
  EXPECT_EQ(french.decimal, ',');
  EXPECT_EQ(french.thousands, " ");
}

TEST(NumberFormat, ConflictingMarksAndSettingsThatWin) {
  std::vector<std::string> notes;
  EXPECT_EQ(detect({"1,5", "2.25"}, {}, &notes).decimal, '.');
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0].find("both"), std::string::npos);
  RegionalSettings settings;
  settings.decimal = ',';
  settings.thousands = "";
  const NumberFormat given = detect({"1.234,5"}, settings);
  EXPECT_EQ(given.decimal, ',');
  EXPECT_TRUE(given.thousands.empty());
  EXPECT_EQ(detect({"1.234.567"}).decimal, ',') << "'.' groups, so the decimal mark is the comma";
  EXPECT_EQ(detect({"1.234.567"}).thousands, ".");
  EXPECT_TRUE(detect({"1.234.567", "192.168.1.10"}).thousands.empty()) << "an address breaks '.' as a grouping";
  std::vector<std::string> proven;
  EXPECT_EQ(detect({"2,5", "1,234,567", "12,345"}, {}, &proven).decimal, '.')
      << "',' proven to group is no decimal mark, whatever 2,5 says";
  EXPECT_FALSE(proven.empty());
  RegionalSettings same;
  same.thousands = ",";
  std::vector<std::string> clash;
  const NumberFormat clashing = detect({"1,5"}, same, &clash);
  EXPECT_EQ(clashing.decimal, ',');
  EXPECT_TRUE(clashing.thousands.empty()) << "one mark cannot do both";
  EXPECT_FALSE(clash.empty());
}

TEST(NumberFormat, PlainNumberRewritesOnlyWhatFits) {
  const NumberFormat format{',', ".", true};
  std::string buffer;
  EXPECT_EQ(plain_number("1.234,50", format, buffer), std::optional<std::string_view>("1234.50"));
  EXPECT_EQ(plain_number("(12,00)", format, buffer), std::optional<std::string_view>("-12.00"));
  EXPECT_EQ(plain_number("-7", format, buffer), std::optional<std::string_view>("-7"));
  EXPECT_EQ(plain_number("1,5e3", format, buffer), std::optional<std::string_view>("1.5e3"));
  EXPECT_FALSE(plain_number("1.5", format, buffer)) << "a group of one digit";
  EXPECT_FALSE(plain_number("12.34.567", format, buffer));
  EXPECT_FALSE(plain_number("1,", format, buffer));
  EXPECT_FALSE(plain_number("0.123", format, buffer)) << "a first group of a lone zero";
  EXPECT_EQ(plain_number("abc", format, buffer), std::optional<std::string_view>("abc")) << "no mark: as it is";
  EXPECT_EQ(plain_number("1.5", NumberFormat{}, buffer), std::optional<std::string_view>("1.5"));
}

TEST(NumberFormat, InferenceTypesRegionalNumbersAndNeverHalfParsesAColumn) {
  TextValueOptions options;
  options.numbers = NumberFormat{',', ".", true};
  TypeInference amounts;
  for (auto value : {"1,50", "1.234,50", "(12,00)"}) {
    amounts.observe(value, options);
  }
  EXPECT_EQ(amounts.type(), SqlType::numeric(6, 2));
  TypeInference versions;
  for (auto value : {"1,5", "1.2.3"}) {
    versions.observe(value, options);
  }
  EXPECT_EQ(versions.type(), SqlType::text());
  TypeInference counts;
  for (auto value : {"1.234", "12"}) {
    counts.observe(value, options);
  }
  EXPECT_EQ(counts.type(), SqlType::integer());
}

DateLayoutDetector::Layouts layouts(std::initializer_list<std::string_view> fields, RegionalSettings settings = {},
                                    std::vector<std::string>* notes = nullptr) {
  DateLayoutDetector detector;
  for (auto field : fields) {
    detector.observe(field);
  }
  std::vector<std::string> ignored;
  return detector.result(settings, "day", notes != nullptr ? *notes : ignored);
}

TEST(DateLayout, TheValuesDecideTheOrder) {
  EXPECT_EQ(layouts({"25/12/2026", "03/04/2026"}).dates, std::vector<std::string>{"%d/%m/%Y"});
  EXPECT_EQ(layouts({"12/25/2026", "03/04/2026 10:30"}).dates, std::vector<std::string>{"%m/%d/%Y"});
  EXPECT_EQ(layouts({"05.12.2026", "01.02.2026"}).dates, std::vector<std::string>{"%d.%m.%Y"}) << "dotted: day-first";
  EXPECT_EQ(layouts({"2026/12/25"}).dates, std::vector<std::string>{"%Y/%m/%d"});
  EXPECT_TRUE(layouts({"25/12/2026", "12/25/2026"}).dates.empty()) << "both orders: text";
  EXPECT_TRUE(layouts({"25/12/2026", "25.12.2026"}).dates.empty()) << "two layouts: text";
  EXPECT_TRUE(layouts({"2026-12-25"}).dates.empty()) << "ISO needs nothing";
}

TEST(DateLayout, AmbiguousColumnsFollowTheSettingOrStayTextWithANote) {
  std::vector<std::string> notes;
  EXPECT_TRUE(layouts({"03/04/2026", "01/02/2026"}, {}, &notes).dates.empty());
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_NE(notes[0].find("column \"day\""), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("day_first"), std::string::npos) << notes[0];
  RegionalSettings month_first;
  month_first.day_first = false;
  EXPECT_EQ(layouts({"03/04/2026"}, month_first).dates, std::vector<std::string>{"%m/%d/%Y"});
  EXPECT_EQ(layouts({"25/12/2026"}, month_first).dates, std::vector<std::string>{"%d/%m/%Y"})
      << "values that fix the order win over the setting";
}

TEST(DateLayout, ParsedValuesAreExact) {
  TextValueOptions options;
  options.date_formats = layouts({"25/12/2026"}).dates;
  const auto day = parse_date("5/12/2026", options);
  ASSERT_TRUE(day);
  EXPECT_EQ(day->days_since_epoch, parse_date("2026-12-05", {})->days_since_epoch);
}

TEST(Booleans, OnePairPerColumn) {
  TypeInference yes_no;
  for (auto value : {"yes", "No", "YES"}) {
    yes_no.observe(value, {});
  }
  EXPECT_EQ(yes_no.type(), SqlType::boolean());
  TypeInference mixed;
  for (auto value : {"yes", "true"}) {
    mixed.observe(value, {});
  }
  EXPECT_EQ(mixed.type(), SqlType::text());
  TypeInference flags;
  for (auto value : {"y", "n"}) {
    flags.observe(value, {});
  }
  EXPECT_EQ(flags.type(), SqlType::boolean());
  EXPECT_EQ(parse_bool("N"), std::optional<bool>(false));
  TypeInference zero_one;
  for (auto value : {"0", "1", "1"}) {
    zero_one.observe(value, {});
  }
  EXPECT_EQ(zero_one.type(), SqlType::integer()) << "0 and 1 stay numbers: a count must not become a flag";
  EXPECT_EQ(parse_bool("1"), std::optional<bool>(true)) << "but a column declared boolean reads them";
  TypeInference flag_words;
  for (auto value : {"1", "yes"}) {
    flag_words.observe(value, {});
  }
  EXPECT_EQ(flag_words.type(), SqlType::text());
}

} // namespace
} // namespace hyperpipe::sources
