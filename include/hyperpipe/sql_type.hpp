#pragma once
/// \file
/// The column types a .hyper file can hold, with their modifiers, and the file version each needs.

#include <cstdint>
#include <string>
#include <string_view>

#include "hyperpipe/error.hpp"

namespace hyperpipe {

enum class TypeKind {
  boolean,
  small_int,
  integer,
  big_int,
  real,   ///< 32-bit float; needs file version 4
  double_precision,
  numeric, ///< NUMERIC(p,s); p > 18 is 128-bit and needs file version 3
  text,
  varchar, ///< VARCHAR(n), n in characters
  character, ///< CHAR(n), space padded
  bytes,
  date,
  time,
  timestamp,
  timestamp_tz,
  interval,
  json,
  oid,
  geography, ///< tableau.tabgeography, loaded from WKT text
};

/// A column type with its modifiers. Construct through the named factories, which keep the
/// modifiers valid (precision 1..38, 0 <= scale <= precision, length >= 1).
class SqlType {
public:
  static SqlType boolean() { return SqlType(TypeKind::boolean); }
  static SqlType small_int() { return SqlType(TypeKind::small_int); }
  static SqlType integer() { return SqlType(TypeKind::integer); }
  static SqlType big_int() { return SqlType(TypeKind::big_int); }
  static SqlType real() { return SqlType(TypeKind::real); }
  static SqlType double_precision() { return SqlType(TypeKind::double_precision); }
  static SqlType numeric(int precision, int scale);
  static SqlType text() { return SqlType(TypeKind::text); }
  static SqlType varchar(int length);
  static SqlType character(int length);
  static SqlType bytes() { return SqlType(TypeKind::bytes); }
  static SqlType date() { return SqlType(TypeKind::date); }
  static SqlType time() { return SqlType(TypeKind::time); }
  static SqlType timestamp() { return SqlType(TypeKind::timestamp); }
  static SqlType timestamp_tz() { return SqlType(TypeKind::timestamp_tz); }
  static SqlType interval() { return SqlType(TypeKind::interval); }
  static SqlType json() { return SqlType(TypeKind::json); }
  static SqlType oid() { return SqlType(TypeKind::oid); }
  static SqlType geography() { return SqlType(TypeKind::geography); }

  /// Parses a type as written in SQL or in a --schema option: "int", "BIGINT",
  /// "numeric(10,2)", "varchar(20)", "timestamptz", "geography", ...
  static Result<SqlType> parse(std::string_view text);

  /// Maps a PostgreSQL type OID and type modifier, as hyperd reports them, to a type.
  static Result<SqlType> from_oid(std::uint32_t oid, std::int32_t type_modifier);

  TypeKind kind() const { return m_kind; }
  int precision() const { return m_precision; }
  int scale() const { return m_scale; }
  int length() const { return m_length; }

  /// The type as hyperd's SQL spells it: "NUMERIC(10,2)", "TIMESTAMP WITH TIME ZONE", ...
  std::string sql() const;

  /// The lowest .hyper file format version that can store this type (0 for most).
  int minimum_file_version() const;

  /// NUMERIC with precision above 18 is stored as a 128-bit integer.
  bool is_wide_numeric() const { return m_kind == TypeKind::numeric && m_precision > 18; }

  bool operator==(const SqlType&) const = default;

private:
  explicit SqlType(TypeKind kind) : m_kind(kind) {}
  TypeKind m_kind;
  int m_precision = 0;
  int m_scale = 0;
  int m_length = 0;
};

} // namespace hyperpipe
