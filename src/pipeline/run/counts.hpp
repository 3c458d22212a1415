#pragma once
// Reading a COUNT(*) (or any single whole number) out of a query's result as a value: a result
// of another shape is an error, never an exception.

#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "base/whole_number.hpp"
#include "hyperpipe/error.hpp"
#include "hyperpipe/query_result.hpp"

namespace hyperpipe::pipeline {

/// The whole number in the first column of the first row; `what` names it in the error.
inline Result<std::uint64_t> single_count(const QueryResult& result, std::string_view what) {
  if (result.rows.empty() || result.rows.front().empty() || !result.rows.front().front()) {
    return make_error(ErrorKind::internal, fmt::format("{}: the count query returned no value", what));
  }
  const std::string& text = *result.rows.front().front();
  auto count = base::parse_whole_number<std::uint64_t>(text, what);
  if (!count) {
    return make_error(ErrorKind::internal, fmt::format("{}: \"{}\" is not a count", what, text));
  }
  return count;
}

} // namespace hyperpipe::pipeline
