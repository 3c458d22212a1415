#pragma once
// The plain forms of values that hyperd's COPY and hyperpipe's own reader read alike, measured
// against hyperd (tests/python/test_server_copy.py): the values' part of the check that lets
// hyperd read a CSV file itself (copy_check.hpp holds the records' and the file's). Pure.
//
// hyperd reads 1 as true, 01/05/2024 as a date, " 12" as 12 and 1e3 as a number, where hyperpipe
// refuses them or reads them otherwise; and it rounds some long doubles differently and flips the
// sign of zero in DOUBLE columns, which therefore are never handed to it.

#include <cstdint>
#include <string_view>

#include "hyperpipe/sql_type.hpp"

namespace hyperpipe::sources {

/// A column type's plain form, resolved once per column so that each value costs one pass.
class PlainForm {
public:
  /// The form of `type`; for a type hyperd's COPY does not fill alike (doubles among them), a
  /// form no value reads alike in.
  static PlainForm of(const SqlType& type);

  /// Whether hyperd reads `value` (a field's text, not empty) into the column as exactly the
  /// value hyperpipe would: true/false (lower, upper or title case); integers without a plus
  /// sign, spaces or leading zeros, in range; decimals that fit the precision and scale; YYYY-MM-DD;
  /// YYYY-MM-DD HH:MM:SS[.ffffff] (or T between); text without NUL bytes (its UTF-8 is checked by
  /// the scan).
  bool reads_alike(std::string_view value) const;

  bool textual() const { return m_kind == Kind::text; }
  /// Whether hyperd's COPY fills such a column alike at all.
  bool copies() const { return m_kind != Kind::none; }

private:
  enum class Kind : std::uint8_t { none, boolean, int16, int32, int64, decimal, date, timestamp, text };
  explicit PlainForm(Kind kind, int whole_digits = 0, int fraction_digits = 0)
      : m_kind(kind), m_whole_digits(whole_digits), m_fraction_digits(fraction_digits) {}

  Kind m_kind;
  int m_whole_digits;    ///< decimals: at most this many digits before the point (precision - scale)
  int m_fraction_digits; ///< decimals: at most this many after it (the scale)
};

/// Whether hyperd's COPY can fill a column of `type` alike (BOOLEAN, the integers, NUMERIC,
/// DATE, TIMESTAMP, TEXT); any other type leaves the file to hyperpipe.
bool copy_supports(const SqlType& type);

} // namespace hyperpipe::sources
