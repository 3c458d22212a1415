#pragma once
// The end of a CSV file as a second type sample, read before loading: exports grow (ids,
// amounts, later dates), so the values that need the widest types are most often at the end,
// where a sample of the first rows never looks. Reading them up front spares a second pass
// over the whole file for the commonest kind of "the sample was too narrow". Pure: bytes in,
// the records to sample out.

#include <optional>
#include <string_view>

#include "sources/csv/csv_reader.hpp"

namespace hyperpipe::sources {

/// How much of a file's end is sampled.
inline constexpr std::size_t k_tail_sample_bytes = std::size_t{1} << 20U;

/// The whole records in `tail`, the last bytes of a file that starts earlier (the partial first
/// line dropped), when they can be told apart without reading from the start: every line holds
/// an even number of quote characters and quotes are escaped by doubling, so no field spans
/// lines and each line is one record. nullopt otherwise (a quoted field with a line break, a
/// backslash escape, no whole line).
std::optional<std::string_view> tail_records(std::string_view tail, const CsvDialect& dialect);

} // namespace hyperpipe::sources
