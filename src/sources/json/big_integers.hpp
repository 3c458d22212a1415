#pragma once
// Integers beyond 64 bits in JSON. JSON sets no limit on digits, but simdjson's DOM stops at 64
// bits (int64 for negatives, uint64 otherwise). Such integers are turned into JSON strings, so
// they load exactly, as text, instead of failing the whole file. Pure: text in, text out.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hyperpipe::sources {

/// `json` with every integer that fits neither int64 nor uint64 wrapped in quotes, and how many
/// were; nullopt when there is none. Strings, fractions and exponents are left alone.
std::optional<std::string> quote_big_integers(std::string_view json, std::size_t& quoted);

} // namespace hyperpipe::sources
