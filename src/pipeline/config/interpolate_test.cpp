// Unit tests of ${NAME} interpolation in pipeline values, with a fake environment (a map): no
// real environment variables are read or set.
#include <gtest/gtest.h>

#include <map>

#include "pipeline/config/interpolate.hpp"

namespace hyperpipe::pipeline {
namespace {

Environment fake_environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    return found == variables.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

const Environment k_empty = fake_environment({});

std::string text_of(std::string_view text, const Environment& environment) {
  auto result = interpolate(text, environment);
  EXPECT_TRUE(result.ok()) << text << ": " << (result.ok() ? "" : result.error().describe());
  return result.ok() ? result->text : "<error>";
}

TEST(Interpolate, PlainTextIsUnchanged) {
  EXPECT_EQ(text_of("", k_empty), "");
  EXPECT_EQ(text_of("data/sales.csv", k_empty), "data/sales.csv");
  EXPECT_EQ(text_of("{braces} and } alone", k_empty), "{braces} and } alone");
}

TEST(Interpolate, ReplacesVariables) {
  const auto environment = fake_environment({{"DATA_DIR", "/srv/data"}, {"YEAR", "2024"}, {"_x1", "u"}});
  EXPECT_EQ(text_of("${DATA_DIR}", environment), "/srv/data");
  EXPECT_EQ(text_of("${DATA_DIR}/sales-${YEAR}.csv", environment), "/srv/data/sales-2024.csv");
  EXPECT_EQ(text_of("${YEAR}${YEAR}", environment), "20242024");
  EXPECT_EQ(text_of("a${_x1}b", environment), "aub");
}

TEST(Interpolate, DefaultIsUsedOnlyWhenUnset) {
  const auto environment = fake_environment({{"SET", "value"}});
  EXPECT_EQ(text_of("${SET:-fallback}", environment), "value");
  EXPECT_EQ(text_of("${UNSET:-fallback}", environment), "fallback");
  EXPECT_EQ(text_of("${UNSET:-}", environment), "");
  EXPECT_EQ(text_of("${UNSET:-../out}/x", environment), "../out/x");
  EXPECT_EQ(text_of("${UNSET:-a:-b}", environment), "a:-b");
  EXPECT_EQ(text_of("${UNSET:-has spaces and $ sign}", environment), "has spaces and $ sign");
}

// An empty value counts as unset, as in the shell: the fallback applies, and ${NAME} is an error.
TEST(Interpolate, EmptyValuesCountAsUnset) {
  const auto environment = fake_environment({{"EMPTY", ""}});
  EXPECT_EQ(text_of("${EMPTY:-fallback}", environment), "fallback");
  const auto plain = interpolate("${EMPTY}", environment);
  EXPECT_FALSE(plain.ok());
}

TEST(Interpolate, DoubleDollarIsALiteralDollar) {
  EXPECT_EQ(text_of("$$", k_empty), "$");
  EXPECT_EQ(text_of("price in $$US", k_empty), "price in $US");
  EXPECT_EQ(text_of("$${NOT_A_VARIABLE}", k_empty), "${NOT_A_VARIABLE}");
  EXPECT_EQ(text_of("$$$$", k_empty), "$$");
  EXPECT_EQ(text_of("$$${V}", fake_environment({{"V", "x"}})), "$x");
}

TEST(Interpolate, ALoneDollarStaysAsWritten) {
  EXPECT_EQ(text_of("$", k_empty), "$");
  EXPECT_EQ(text_of("ends with $", k_empty), "ends with $");
  EXPECT_EQ(text_of("^a.*$", k_empty), "^a.*$");
  EXPECT_EQ(text_of("SELECT $1, $name", k_empty), "SELECT $1, $name");
  EXPECT_EQ(text_of("$ {SPACE}", k_empty), "$ {SPACE}");
}

TEST(Interpolate, UnclosedBraceIsAnError) {
  const auto result = interpolate("path/${DATA_DIR/sales.csv", k_empty);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(result.error().message, "\"${\" without a closing \"}\" in \"path/${DATA_DIR/sales.csv\"");
  EXPECT_EQ(result.error().hint, "write ${NAME}, or $$ for a literal $");
  EXPECT_FALSE(interpolate("${", k_empty).ok());
  EXPECT_FALSE(interpolate("${state.watermark", k_empty).ok());
}

TEST(Interpolate, InvalidNamesAreErrors) {
  for (const std::string_view text : {"${}", "${1ABC}", "${A-B}", "${A B}", "${A.B}", "${:-x}", "${A-default}", "${\xc3\xa9}"}) {
    const auto result = interpolate(text, fake_environment({{"A", "a"}, {"1ABC", "x"}}));
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_EQ(result.error().kind, ErrorKind::invalid_argument) << text;
    EXPECT_EQ(result.error().message, "\"" + std::string(text) + "\" is not a variable reference") << text;
    EXPECT_EQ(result.error().hint, "variable names are letters, digits and _; write $$ for a literal $") << text;
  }
}

TEST(Interpolate, UnsetVariableNamesItAndSuggestsADefault) {
  const auto result = interpolate("${DATA_DIR}/sales.csv", fake_environment({{"OTHER", "x"}}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::not_found);
  EXPECT_EQ(result.error().message, "environment variable DATA_DIR is not set");
  EXPECT_EQ(result.error().hint, "export DATA_DIR=..., or write ${DATA_DIR:-default}");
  EXPECT_EQ(result.error().describe().find("sales.csv"), std::string::npos);
}

TEST(Interpolate, StatePlaceholdersAreLeftAsWritten) {
  const auto environment = fake_environment({{"state", "no"}, {"HOST", "api.example.com"}});
  EXPECT_EQ(text_of("${state.watermark}", environment), "${state.watermark}");
  EXPECT_EQ(text_of("https://${HOST}/items?since=${state.watermark}&x=1", environment),
            "https://api.example.com/items?since=${state.watermark}&x=1");
  EXPECT_EQ(text_of("${state.anything_else}", environment), "${state.anything_else}");
}

TEST(Interpolate, SecretsAreCollectedOnlyForSecretLookingNames) {
  const auto environment = fake_environment({{"API_KEY", "k-123"},
                                             {"GITHUB_TOKEN", "ghp_abc"},
                                             {"DB_PASSWORD", "pw"},
                                             {"client_secret", "cs"},
                                             {"HOST", "api.example.com"},
                                             {"USER", "ann"}});
  const auto result =
      interpolate("${HOST} ${USER} ${API_KEY} ${GITHUB_TOKEN} ${DB_PASSWORD} ${client_secret} ${HOST}", environment);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->text, "api.example.com ann k-123 ghp_abc pw cs api.example.com");
  EXPECT_EQ(result->secrets, (std::vector<std::string>{"k-123", "ghp_abc", "pw", "cs"}));

  const auto plain = interpolate("${HOST}/${USER}", environment);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->secrets.empty());

  // A fallback is written in the file, so it is not a secret; nor is an unset variable.
  const auto fallback = interpolate("${MISSING_TOKEN:-public}", environment);
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->text, "public");
  EXPECT_TRUE(fallback->secrets.empty());
}

TEST(Interpolate, AnEmptyFallbackForASecretIsNoSecret) {
  const auto result = interpolate("[${API_TOKEN:-}]", k_empty);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->text, "[]");
  EXPECT_TRUE(result->secrets.empty());
}

TEST(Interpolate, LooksSecret) {
  for (const char* name : {"API_KEY", "api_key", "Token", "MY_SECRET", "DB_PASSWORD", "PASSWD", "FTP_PWD",
                           "GOOGLE_CREDENTIALS", "AUTH_HEADER"}) {
    EXPECT_TRUE(looks_secret(name)) << name;
  }
  for (const char* name : {"HOST", "DATA_DIR", "USER", "PORT", "YEAR"}) {
    EXPECT_FALSE(looks_secret(name)) << name;
  }
}

TEST(Interpolate, FillStatePlaceholders) {
  const auto values = [](const std::string& name) -> std::optional<std::string> {
    if (name == "watermark") {
      return "2024-05-01";
    }
    return std::nullopt;
  };
  auto filled = fill_state_placeholders("since=${state.watermark}&until=${state.watermark}", values);
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(*filled, "since=2024-05-01&until=2024-05-01");
  filled = fill_state_placeholders("no placeholders, ${NOT_STATE} and $", values);
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(*filled, "no placeholders, ${NOT_STATE} and $");
  filled = fill_state_placeholders("", values);
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(*filled, "");

  const auto empty_value = fill_state_placeholders("x${state.watermark}y", [](const std::string&) {
    return std::optional<std::string>("");
  });
  ASSERT_TRUE(empty_value.ok());
  EXPECT_EQ(*empty_value, "xy");
}

TEST(Interpolate, FillStatePlaceholdersErrors) {
  const auto values = [](const std::string& name) -> std::optional<std::string> {
    return name == "watermark" ? std::optional<std::string>("1") : std::nullopt;
  };
  const auto unknown = fill_state_placeholders("a=${state.cursor}", values);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(unknown.error().message, "${state.cursor} is not a state value");
  EXPECT_EQ(unknown.error().hint, "the state offers ${state.watermark}");

  const auto unclosed = fill_state_placeholders("a=${state.watermark", values);
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.error().message, "unclosed \"${state.\" in \"a=${state.watermark\"");
}

TEST(Interpolate, InterpolateThenFillState) {
  const auto interpolated =
      interpolate("https://${HOST}/items?updated_since=${state.watermark}", fake_environment({{"HOST", "h"}}));
  ASSERT_TRUE(interpolated.ok());
  const auto filled = fill_state_placeholders(interpolated->text, [](const std::string&) {
    return std::optional<std::string>("42");
  });
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(*filled, "https://h/items?updated_since=42");
}

TEST(Interpolate, MentionsState) {
  EXPECT_TRUE(mentions_state("${state.watermark}", "watermark"));
  EXPECT_TRUE(mentions_state("updated > '${state.watermark}'", "watermark"));
  EXPECT_FALSE(mentions_state("${state.watermarks}", "watermark"));
  EXPECT_FALSE(mentions_state("${state.water}", "watermark"));
  EXPECT_FALSE(mentions_state("state.watermark", "watermark"));
  EXPECT_FALSE(mentions_state("${watermark}", "watermark"));
  EXPECT_FALSE(mentions_state("", "watermark"));
  EXPECT_TRUE(mentions_state("${state.cursor}", "cursor"));
}

} // namespace
} // namespace hyperpipe::pipeline
