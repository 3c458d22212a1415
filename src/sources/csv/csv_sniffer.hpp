#pragma once
// Guessing a CSV file's dialect from its first bytes. Pure: bytes in, dialect out. Whether the
// first record is a header is decided later, once column types are known
// (see CsvSource::open).

#include <optional>
#include <string_view>

#include "sources/csv/csv_reader.hpp"

namespace hyperpipe::sources {

/// Tries , ; TAB | as delimiters and keeps the one that splits the sample's records into the
/// same number (> 1) of fields most consistently; detects backslash escapes inside quotes.
CsvDialect sniff_dialect(std::string_view sample);

/// Excel's first line "sep=X", which names the delimiter and is not data: X, or nothing.
std::optional<char> excel_separator_line(std::string_view sample);

/// The sample after its first line (for sniffing what follows a "sep=" line).
std::string_view after_first_line(std::string_view sample);

} // namespace hyperpipe::sources
