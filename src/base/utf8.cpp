#include "base/utf8.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <string>

namespace hyperpipe::base {

bool is_valid_utf8_slow(std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); }

std::size_t count_code_points(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    // Continuation bytes are 10xxxxxx; every other byte starts a code point.
    count += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
  }
  return count;
}

std::string printable_excerpt(std::string_view value, std::size_t max_chars) {
  std::string out;
  const bool truncated = value.size() > max_chars;
  std::string_view head = value.substr(0, max_chars);
  const bool valid = is_valid_utf8(head);
  for (char c : head) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20U || byte == 0x7FU || (!valid && byte >= 0x80U)) {
      out += fmt::format("\\x{:02X}", byte);
    } else {
      out += c;
    }
  }
  if (truncated) {
    out += fmt::format("... ({} bytes)", value.size());
  }
  return out;
}

} // namespace hyperpipe::base
