#pragma once
// Guessing a CSV file's dialect from its first bytes. Pure: bytes in, dialect out. Whether the
// first record is a header is decided later, once column types are known
// (see CsvSource::open).

#include <string_view>

#include "sources/csv/csv_reader.hpp"

namespace hyperpipe::sources {

/// Tries , ; TAB | as delimiters and keeps the one that splits the sample's records into the
/// same number (> 1) of fields most consistently; detects backslash escapes inside quotes.
CsvDialect sniff_dialect(std::string_view sample);

} // namespace hyperpipe::sources
