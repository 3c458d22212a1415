#pragma once
// What the client's calls share about the REST API's text: query values percent-encoded, and how
// long Tableau may stay silent before it answers a commit.

#include <cctype>
#include <chrono>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace hyperpipe::publish {

/// Tableau may work on a published extract, or an update of its data, for many minutes before it
/// answers.
inline constexpr auto k_commit_idle = std::chrono::seconds(30 * 60);

/// Query-string values are ids, names and flags: percent-encode everything but unreserved bytes.
inline std::string url_encode(std::string_view text) {
  std::string out;
  for (char raw : text) {
    const auto c = static_cast<unsigned char>(raw);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

} // namespace hyperpipe::publish
