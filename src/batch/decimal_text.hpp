#pragma once
// Exact conversion between decimal text and Decimal (no floating point in between), for
// NUMERIC values coming from text sources and for error messages.

#include <optional>
#include <string>
#include <string_view>

#include "hyperpipe/values.hpp"

namespace hyperpipe {

/// Parses [+-]digits[.digits] (at most 38 significant digits). No exponent, no spaces.
std::optional<Decimal> parse_decimal_text(std::string_view text);

/// The decimal as text with exactly `scale` fractional digits: {-12345, 2} -> "-123.45".
std::string decimal_to_text(Decimal value);

/// A 128-bit integer in base 10.
std::string int128_to_string(Int128 value);

} // namespace hyperpipe
