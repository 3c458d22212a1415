#pragma once
// UTF-8 checks on values before they reach hyperd, so a bad value is reported with its column
// and row instead of as a bare SQLSTATE 22021 from the middle of a COPY stream.

#include <cstddef>
#include <string>
#include <string_view>

namespace hyperpipe::base {

bool is_valid_utf8_slow(std::string_view text);

/// Short ASCII strings (most values) are checked inline; the rest goes to simdjson's validator.
inline bool is_valid_utf8(std::string_view text) {
  constexpr std::size_t k_inline_limit = 64;
  if (text.size() <= k_inline_limit) {
    unsigned char any_high = 0;
    for (char c : text) {
      any_high |= static_cast<unsigned char>(c);
    }
    if (any_high < 0x80U) {
      return true;
    }
  }
  return is_valid_utf8_slow(text);
}

/// Number of code points in valid UTF-8 text (bytes that are not continuation bytes).
std::size_t count_code_points(std::string_view text);

/// A printable excerpt of a value for error messages: at most `max_chars` bytes, invalid bytes
/// and control characters shown as \xNN.
std::string printable_excerpt(std::string_view value, std::size_t max_chars = 60);

} // namespace hyperpipe::base
