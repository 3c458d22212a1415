#pragma once
// Reading typed values out of text (CSV fields, and later JSON strings and spreadsheet cells).
// Pure functions: text in, value or nothing out. ISO 8601 forms are parsed by hand because they
// are the hot path; other date layouts go through Howard Hinnant's date::parse.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/column_batch.hpp"
#include "hyperpipe/values.hpp"

namespace hyperpipe::sources {

/// The largest value (a CSV record, a cell, a string) a source reads by default: beyond it the
/// load fails at once with the value's place, instead of growing without bound on one huge
/// value (a zip bomb, a damaged export).
inline constexpr std::size_t k_default_max_value_bytes = std::size_t{64} << 20U;

/// How numbers are written: the decimal mark, a thousands separator grouping digits by three,
/// and accounting negatives "(12.00)". Detected per file (sources/text/regional.hpp) or given.
struct NumberFormat {
  char decimal = '.';
  std::string thousands; ///< empty: none; else ",", ".", "'", " ", or U+00A0 / U+202F in UTF-8
  bool parenthesized_negatives = false;
  bool plain() const { return decimal == '.' && thousands.empty() && !parenthesized_negatives; }
};

struct TextValueOptions {
  /// See k_default_max_value_bytes (--max-value-mb, max_value_mb:).
  std::size_t max_value_bytes = k_default_max_value_bytes;
  /// Extra layouts for dates, in strftime/date::parse syntax, e.g. "%d/%m/%Y". ISO is always tried.
  std::vector<std::string> date_formats;
  /// Extra layouts for timestamps, e.g. "%d/%m/%Y %H:%M". ISO 8601 is always tried.
  std::vector<std::string> timestamp_formats;
  NumberFormat numbers;
};

/// A number written in `format` rewritten in the plain one, in `buffer` ("1.234,50" → "1234.50",
/// "(12,00)" → "-12.00"); `text` itself for the plain format or text without any mark; nothing
/// when the marks are used otherwise than `format` says (a group not of three, a mark it lacks).
std::optional<std::string_view> plain_number(std::string_view text, const NumberFormat& format, std::string& buffer);

/// true/false, yes/no, y/n in any letter case, and 1/0 (type inference keeps a column to one
/// pair, and never infers BOOLEAN from 0 and 1, which are numbers until a column is declared
/// boolean).
std::optional<bool> parse_bool(std::string_view text);
/// [+-]digits fitting in 64 bits. Leading zeros ("007") are refused: such columns are codes, and
/// reading them as numbers would drop the zeros.
std::optional<std::int64_t> parse_integer(std::string_view text);
/// A decimal number, NaN, Infinity or -Infinity (also "inf", "nan"), exponent allowed.
std::optional<double> parse_double(std::string_view text);
/// YYYY-MM-DD, then each of `options.date_formats`.
std::optional<Date> parse_date(std::string_view text, const TextValueOptions& options);

struct ParsedTimestamp {
  Timestamp value;  ///< UTC when `has_offset`, else wall-clock time
  bool has_offset;  ///< an explicit Z or ±hh[:mm] was present
};
/// YYYY-MM-DD (midnight), or YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]] with an optional Z or ±hh[:mm]
/// offset (converted to UTC),
/// then each of `options.timestamp_formats`. More than 6 fractional digits are refused rather
/// than rounded.
std::optional<ParsedTimestamp> parse_timestamp(std::string_view text, const TextValueOptions& options);
/// HH:MM[:SS[.ffffff]].
std::optional<TimeOfDay> parse_time(std::string_view text);

/// Converts `text` to `column`'s type and appends it. On failure the Error's `detail` says why,
/// without any context, for the source to place (file, line, field).
Status append_text_value(Column& column, std::string_view text, const TextValueOptions& options);

} // namespace hyperpipe::sources
