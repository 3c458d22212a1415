#include "sources/csv/copy_forms.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace hyperpipe::sources {
namespace {

bool alike(const SqlType& type, std::string_view value) { return PlainForm::of(type).reads_alike(value); }

TEST(PlainForm, TakesOnlyThePlainForms) {
  EXPECT_TRUE(alike(SqlType::boolean(), "true"));
  EXPECT_FALSE(alike(SqlType::boolean(), "1"));   // hyperd: true; hyperpipe: refused
  EXPECT_FALSE(alike(SqlType::boolean(), "yes")); // hyperpipe: true; hyperd: refused
  EXPECT_TRUE(alike(SqlType::integer(), "-2147483648"));
  EXPECT_FALSE(alike(SqlType::integer(), "2147483648"));
  EXPECT_FALSE(alike(SqlType::small_int(), "40000"));
  EXPECT_TRUE(alike(SqlType::big_int(), "9223372036854775807"));
  EXPECT_FALSE(alike(SqlType::big_int(), "9223372036854775808"));
  for (const char* noise : {" 12", "12 ", "+12", "007", "1e3", "12.0", "", "-"}) {
    EXPECT_FALSE(alike(SqlType::big_int(), noise)) << noise;
  }
  EXPECT_TRUE(alike(SqlType::numeric(7, 2), "-12345.6"));
  EXPECT_TRUE(alike(SqlType::numeric(7, 2), "0.05"));
  EXPECT_FALSE(alike(SqlType::numeric(7, 2), "123456.00")); // six digits before the point
  EXPECT_FALSE(alike(SqlType::numeric(7, 2), "1.234"));     // hyperd rounds; hyperpipe refuses
  for (const char* noise : {".5", "5.", "1e3", "1,5", "00.5", "--1"}) {
    EXPECT_FALSE(alike(SqlType::numeric(7, 2), noise)) << noise;
  }
  EXPECT_TRUE(alike(SqlType::date(), "2024-02-29"));
  EXPECT_FALSE(alike(SqlType::date(), "2023-02-29"));
  EXPECT_FALSE(alike(SqlType::date(), "01/05/2024"));
  EXPECT_FALSE(alike(SqlType::date(), "0000-01-01"));
  EXPECT_TRUE(alike(SqlType::timestamp(), "2024-01-05 10:11:12"));
  EXPECT_TRUE(alike(SqlType::timestamp(), "2024-01-05T10:11:12.123456"));
  for (const char* noise : {"2024-01-05 10:11", "2024-01-05 24:00:00", "2024-01-05 10:11:12Z", "2024-01-05 10:11:12.1234567",
                            "2024-01-05 10:11:60"}) {
    EXPECT_FALSE(alike(SqlType::timestamp(), noise)) << noise;
  }
  EXPECT_TRUE(alike(SqlType::text(), "any \"text\", ünïcode"));
  EXPECT_FALSE(alike(SqlType::text(), std::string_view("a\0b", 3)));
  EXPECT_FALSE(copy_supports(SqlType::double_precision()));
  EXPECT_FALSE(copy_supports(SqlType::varchar(10)));
  EXPECT_FALSE(copy_supports(SqlType::timestamp_tz()));
}

TEST(PlainForm, IntegerBoundsAreExactEitherSide) {
  // Compared digit string to digit string: the last value in range passes, the next one does not.
  EXPECT_TRUE(alike(SqlType::small_int(), "-32768"));
  EXPECT_FALSE(alike(SqlType::small_int(), "-32769"));
  EXPECT_TRUE(alike(SqlType::small_int(), "32767"));
  EXPECT_FALSE(alike(SqlType::small_int(), "32768"));
  EXPECT_TRUE(alike(SqlType::big_int(), "-9223372036854775808"));
  EXPECT_FALSE(alike(SqlType::big_int(), "-9223372036854775809"));
  EXPECT_FALSE(alike(SqlType::big_int(), "10000000000000000000"));
  EXPECT_TRUE(alike(SqlType::integer(), "-0"));
  EXPECT_FALSE(alike(SqlType::integer(), "-00"));
  EXPECT_TRUE(alike(SqlType::numeric(3, 3), "0.125"));
  EXPECT_FALSE(alike(SqlType::numeric(3, 3), "1.125"));
  EXPECT_FALSE(alike(SqlType::numeric(4, 0), "12.0"));
}

} // namespace
} // namespace hyperpipe::sources
