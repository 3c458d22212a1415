#include "sources/text/type_inference.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::sources {
namespace {

SqlType infer(std::initializer_list<std::string_view> values, TextValueOptions options = {}) {
  TypeInference inference;
  for (auto value : values) {
    inference.observe(value, options);
  }
  return inference.type();
}

TEST(TypeInference, WalksUpTheNumericLattice) {
  EXPECT_EQ(infer({"true", "FALSE"}), SqlType::boolean());
  EXPECT_EQ(infer({"1", "-2"}), SqlType::integer());
  EXPECT_EQ(infer({"1", "3000000000"}), SqlType::big_int());
  EXPECT_EQ(infer({"1", "2.50"}), SqlType::numeric(3, 2));
  EXPECT_EQ(infer({"123.4", "-0.001"}), SqlType::numeric(6, 3));
  EXPECT_EQ(infer({"1.5", "1e10"}), SqlType::double_precision());
  EXPECT_EQ(infer({"12345678901234567.89"}), SqlType::double_precision()); // 19 digits: beyond 64-bit NUMERIC
  EXPECT_EQ(infer({"NaN", "1"}), SqlType::double_precision());
}

TEST(TypeInference, KeepsCodesAndHugeIntegersAsText) {
  EXPECT_EQ(infer({"02134", "10001"}), SqlType::text());
  EXPECT_EQ(infer({"123456789012345678901234"}), SqlType::text());
}

TEST(TypeInference, MixingFamiliesGivesText) {
  EXPECT_EQ(infer({"true", "1"}), SqlType::text());
  EXPECT_EQ(infer({"1", "2024-01-01"}), SqlType::text());
  EXPECT_EQ(infer({"2024-01-01T00:00:00Z", "2024-01-01T00:00:00"}), SqlType::text());
}

TEST(TypeInference, DatesAndTimestamps) {
  EXPECT_EQ(infer({"2024-01-31", "1999-12-31"}), SqlType::date());
  EXPECT_EQ(infer({"2024-01-31", "2024-02-01 10:00"}), SqlType::timestamp());
  EXPECT_EQ(infer({"2024-01-31T10:00:00+01:00", "2024-01-31T10:00:00Z"}), SqlType::timestamp_tz());
  EXPECT_EQ(infer({"2024-02-30"}), SqlType::text()); // not a real day
  TextValueOptions dmy;
  dmy.date_formats = {"%d/%m/%Y"};
  EXPECT_EQ(infer({"31/01/2024"}, dmy), SqlType::date());
  EXPECT_EQ(infer({"31/01/2024"}), SqlType::text());
}

TEST(TypeInference, MergeWidensAcrossFiles) {
  TypeInference a;
  TypeInference b;
  a.observe("1", {});
  b.observe("2.25", {});
  a.merge(b);
  EXPECT_EQ(a.type(), SqlType::numeric(3, 2));
  TypeInference none;
  EXPECT_EQ(none.type(), SqlType::text());
  EXPECT_FALSE(none.saw_values());
}

} // namespace
} // namespace hyperpipe::sources
