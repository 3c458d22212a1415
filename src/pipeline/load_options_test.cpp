// The one load-options type: each setting checked once and applied to every format it concerns,
// whichever front end (flags or pipeline keys) sets it.
#include <gtest/gtest.h>

#include "pipeline/load_options.hpp"

namespace hyperpipe::pipeline {
namespace {

TEST(LoadOptions, AValueLimitAppliesToEveryFormatAndIsBounded) {
  LoadFilesOptions options;
  ASSERT_TRUE(options.set_max_value_mb(2).ok());
  EXPECT_EQ(options.csv.values.max_value_bytes, 2U << 20U);
  EXPECT_EQ(options.json.values.max_value_bytes, 2U << 20U);
  EXPECT_EQ(options.xlsx.values.max_value_bytes, 2U << 20U);
  for (const std::int64_t wrong : {std::int64_t{0}, k_max_value_mb_limit + 1}) {
    const Status refused = options.set_max_value_mb(wrong);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find(std::to_string(wrong)), std::string::npos) << refused.error().message;
  }
  EXPECT_EQ(options.csv.values.max_value_bytes, 2U << 20U) << "a refused setting changes nothing";
}

TEST(LoadOptions, FormatsEncodingAndHeaderReachEveryFormatTheyConcern) {
  LoadFilesOptions options;
  options.set_value_formats({"%d/%m/%Y"}, {"%d/%m/%Y %H:%M"});
  EXPECT_EQ(options.xlsx.values.date_formats, std::vector<std::string>{"%d/%m/%Y"});
  EXPECT_EQ(options.json.values.timestamp_formats, std::vector<std::string>{"%d/%m/%Y %H:%M"});
  ASSERT_TRUE(options.set_encoding("latin1").ok());
  EXPECT_EQ(options.csv.encoding, options.json.encoding);
  EXPECT_NE(options.csv.encoding, io::TextEncoding::automatic);
  EXPECT_FALSE(options.set_encoding("ebcdic").ok());
  options.set_header(false);
  EXPECT_EQ(options.csv.header, std::optional<bool>(false));
  EXPECT_FALSE(options.xlsx.header);
  options.set_header(std::nullopt);
  EXPECT_FALSE(options.csv.header.has_value()) << "CSV detects it";
  EXPECT_TRUE(options.xlsx.header) << "Excel's first row names the columns";
}

TEST(LoadOptions, CharactersColumnTypesAndOnError) {
  LoadFilesOptions options;
  ASSERT_TRUE(options.set_character(CsvCharacter::delimiter, "delimiter", "tab").ok());
  EXPECT_EQ(options.csv.delimiter, std::optional<char>('\t'));
  const Status two = options.set_character(CsvCharacter::quote, "--quote", "''");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.error().message.find("--quote"), std::string::npos) << two.error().message;
  ASSERT_TRUE(options.set_column_type("amount", "numeric(10,2)").ok());
  EXPECT_EQ(options.column_types.at("amount"), SqlType::numeric(10, 2));
  EXPECT_FALSE(options.set_column_type("amount", "money please").ok());
  ASSERT_TRUE(options.set_on_error("reject=bad.csv").ok());
  EXPECT_EQ(options.reject_file, std::optional<std::filesystem::path>("bad.csv"));
  ASSERT_TRUE(options.set_on_error("fail").ok());
  EXPECT_FALSE(options.reject_file);
  EXPECT_FALSE(options.set_on_error("reject=").ok());
}

} // namespace
} // namespace hyperpipe::pipeline
