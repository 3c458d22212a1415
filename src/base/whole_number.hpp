#pragma once
// A whole number read from text a server sent (a count, an oid, a bound), as a value: text of
// another shape is an error naming what was expected, never an exception (std::stoll throws).

#include <fmt/format.h>

#include <charconv>
#include <string_view>
#include <system_error>

#include "hyperpipe/error.hpp"

namespace hyperpipe::base {

/// `text` entirely as an Int; `what` names it in the error.
template <typename Int>
Result<Int> parse_whole_number(std::string_view text, std::string_view what) {
  Int value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return make_error(ErrorKind::internal, fmt::format("{}: \"{}\" is not a whole number in range", what, text));
  }
  return value;
}

} // namespace hyperpipe::base
