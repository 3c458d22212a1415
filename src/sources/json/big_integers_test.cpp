#include "sources/json/big_integers.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::sources {
namespace {

TEST(BigIntegers, OnlyIntegersBeyond64BitsAreQuoted) {
  std::size_t quoted = 0;
  const auto text = quote_big_integers(
      R"({"id": 12345678901234567890123, "ok": 18446744073709551615, "neg": -9223372036854775809, )"
      R"("min": -9223372036854775808, "f": 1234567890123456789012.5, "e": 1e400, "s": "99999999999999999999999"})",
      quoted);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(quoted, 2U);
  EXPECT_EQ(*text, R"({"id": "12345678901234567890123", "ok": 18446744073709551615, "neg": "-9223372036854775809", )"
                   R"("min": -9223372036854775808, "f": 1234567890123456789012.5, "e": 1e400, "s": "99999999999999999999999"})");
}

TEST(BigIntegers, NothingToQuoteIsNullopt) {
  std::size_t quoted = 7;
  EXPECT_FALSE(quote_big_integers(R"([1, -2, "x\"12345678901234567890123"])", quoted).has_value());
  EXPECT_EQ(quoted, 0U);
}

TEST(BigIntegers, InArraysAndAtTheEnd) {
  std::size_t quoted = 0;
  EXPECT_EQ(quote_big_integers("[99999999999999999999,1]", quoted).value_or(""), R"(["99999999999999999999",1])");
  EXPECT_EQ(quote_big_integers("99999999999999999999", quoted).value_or(""), R"("99999999999999999999")");
}

} // namespace
} // namespace hyperpipe::sources
