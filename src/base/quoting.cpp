#include "base/quoting.hpp"

#include <fmt/format.h>

namespace hyperpipe::base {
namespace {

std::string quote_with(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (char c : text) {
    if (c == quote) {
      out += quote;
    }
    out += c;
  }
  out += quote;
  return out;
}

} // namespace

std::string quote_identifier(std::string_view name) { return quote_with(name, '"'); }

namespace {

// Moves `at` back to the start of the UTF-8 character it falls in.
std::size_t character_start(std::string_view text, std::size_t at) {
  while (at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0U) == 0x80U) {
    --at;
  }
  return at;
}

} // namespace

std::string bounded(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) {
    return std::string(text);
  }
  // Three quarters from the start (what a statement or message is about), a quarter from the
  // end (where SQL errors often point).
  const std::size_t head = character_start(text, limit * 3 / 4);
  const std::size_t tail = character_start(text, text.size() - limit / 4);
  return fmt::format("{} … [{} characters cut] … {}", text.substr(0, head), tail - head, text.substr(tail));
}

std::string quote_literal(std::string_view text) { return quote_with(text, '\''); }

} // namespace hyperpipe::base
