#pragma once
// Hex dumps for byte-exact assertions: failures show bytes, not mojibake.

#include <string>
#include <string_view>

namespace hyperpipe::testing {

/// "00 1a ff" style, lower case, space separated.
inline std::string hex(std::string_view bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (!out.empty()) {
      out += ' ';
    }
    out += k_digits[byte >> 4U];
    out += k_digits[byte & 0xFU];
  }
  return out;
}

} // namespace hyperpipe::testing
