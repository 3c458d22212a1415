#include "batch/decimal_text.hpp"

#include <algorithm>

namespace hyperpipe {
namespace {
constexpr int k_max_digits = 38;
}

std::optional<Decimal> parse_decimal_text(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  Decimal result;
  int digits = 0;
  bool seen_digit = false;
  bool seen_point = false;
  for (char c : text) {
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    seen_digit = true;
    if (digits > 0 || c != '0') {
      ++digits; // leading zeros are not significant
    }
    if (digits > k_max_digits) {
      return std::nullopt;
    }
    result.unscaled = result.unscaled * 10 + (c - '0');
    if (seen_point) {
      ++result.scale;
    }
  }
  if (!seen_digit || result.scale > k_max_digits) {
    return std::nullopt;
  }
  if (negative) {
    result.unscaled = -result.unscaled;
  }
  return result;
}

std::string int128_to_string(Int128 value) {
  if (value == 0) {
    return "0";
  }
  const bool negative = value < 0;
  std::string digits;
  while (value != 0) {
    const int digit = static_cast<int>(value % 10);
    digits += static_cast<char>('0' + (negative ? -digit : digit));
    value /= 10;
  }
  if (negative) {
    digits += '-';
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string decimal_to_text(Decimal value) {
  std::string digits = int128_to_string(value.unscaled);
  std::string out;
  std::string_view magnitude = digits;
  if (magnitude.front() == '-') {
    out += '-';
    magnitude.remove_prefix(1);
  }
  const auto scale = static_cast<std::size_t>(std::max(value.scale, 0));
  if (scale == 0) {
    out += magnitude;
    return out;
  }
  // Pad with leading zeros so there is at least one digit before the point.
  if (magnitude.size() <= scale) {
    out.append(scale + 1 - magnitude.size(), '0');
    out += magnitude;
  } else {
    out += magnitude;
  }
  out.insert(out.end() - static_cast<std::ptrdiff_t>(scale), '.');
  return out;
}

} // namespace hyperpipe
