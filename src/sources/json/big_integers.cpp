#include "sources/json/big_integers.hpp"

#include <charconv>
#include <cstdint>

namespace hyperpipe::sources {
namespace {

bool is_number_char(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

// An integer token (no fraction or exponent) that no 64-bit type holds.
bool too_big(std::string_view token) {
  if (token.find_first_of(".eE") != std::string_view::npos || token.empty()) {
    return false;
  }
  const char* begin = token.data();
  const char* end = token.data() + token.size();
  if (token.front() == '-') {
    std::int64_t value = 0;
    const auto [at, ec] = std::from_chars(begin, end, value);
    return ec == std::errc::result_out_of_range;
  }
  std::uint64_t value = 0;
  const auto [at, ec] = std::from_chars(begin, end, value);
  return ec == std::errc::result_out_of_range;
}

} // namespace

std::optional<std::string> quote_big_integers(std::string_view json, std::size_t& quoted) {
  quoted = 0;
  std::string out;
  std::size_t copied = 0; // json[0, copied) is in `out` already
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i; // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      continue;
    }
    std::size_t end = i;
    while (end < json.size() && is_number_char(json[end])) {
      ++end;
    }
    if (too_big(json.substr(i, end - i))) {
      if (out.empty()) {
        out.reserve(json.size() + 64);
      }
      out.append(json.substr(copied, i - copied));
      out += '"';
      out.append(json.substr(i, end - i));
      out += '"';
      copied = end;
      ++quoted;
    }
    i = end - 1;
  }
  if (quoted == 0) {
    return std::nullopt;
  }
  out.append(json.substr(copied));
  return out;
}

} // namespace hyperpipe::sources
