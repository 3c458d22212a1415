#pragma once
// UTF-8 checks on values before they reach hyperd, so a bad value is reported with its column
// and row instead of as a bare SQLSTATE 22021 from the middle of a COPY stream.

#include <cstddef>
#include <string>
#include <string_view>

namespace hyperpipe::base {

bool is_valid_utf8(std::string_view text);

/// Number of code points in valid UTF-8 text (bytes that are not continuation bytes).
std::size_t count_code_points(std::string_view text);

/// A printable excerpt of a value for error messages: at most `max_chars` bytes, invalid bytes
/// and control characters shown as \xNN.
std::string printable_excerpt(std::string_view value, std::size_t max_chars = 60);

} // namespace hyperpipe::base
