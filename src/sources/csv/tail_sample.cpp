#include "sources/csv/tail_sample.hpp"

#include <algorithm>

namespace hyperpipe::sources {

std::optional<std::string_view> tail_records(std::string_view tail, const CsvDialect& dialect) {
  if (dialect.escape != dialect.quote) {
    return std::nullopt; // "\"" does not pair up: a line's quotes say nothing
  }
  const auto first_break = tail.find('\n');
  if (first_break == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view records = tail.substr(first_break + 1);
  std::size_t start = 0;
  while (start < records.size()) {
    auto end = records.find('\n', start);
    if (end == std::string_view::npos) {
      end = records.size();
    }
    const auto line = records.substr(start, end - start);
    if (std::count(line.begin(), line.end(), dialect.quote) % 2 != 0) {
      return std::nullopt; // a field that goes on past this line: where records start is unknown
    }
    start = end + 1;
  }
  if (records.find_first_not_of("\r\n") == std::string_view::npos) {
    return std::nullopt;
  }
  return records;
}

} // namespace hyperpipe::sources
