#pragma once
/// \file
/// Typed column batches: the unit every source produces and the Hyper loader consumes.
///
/// A Column keeps its values already in Hyper's storage representation (little-endian fixed-width
/// values, or length-prefixed bytes), so turning a batch into COPY bytes is interleaving, not
/// conversion. Every append checks the value against the column's type and says which column,
/// which row and which value when it does not fit.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"
#include "hyperpipe/table.hpp"
#include "hyperpipe/values.hpp"

namespace hyperpipe {

class Column {
public:
  explicit Column(ColumnDefinition definition);

  const ColumnDefinition& definition() const { return m_definition; }
  std::size_t size() const { return m_rows; }

  Status append_null();
  Status append_bool(bool value);
  /// Integers into SMALLINT/INTEGER/BIGINT/OID (range-checked) or NUMERIC (scaled exactly).
  Status append_int(std::int64_t value);
  /// Floating point into DOUBLE PRECISION or REAL.
  Status append_double(double value);
  /// An exact decimal into NUMERIC(p,s); rescaled to s, an error if digits would be lost.
  Status append_decimal(Decimal value);
  /// Decimal text ("-123.4500", "1e3" is not accepted) into NUMERIC(p,s), exactly.
  Status append_decimal_text(std::string_view text);
  /// UTF-8 text into TEXT/VARCHAR/CHAR/JSON/GEOGRAPHY (as WKT); any bytes into BYTES.
  Status append_text(std::string_view value);
  Status append_date(Date value);
  Status append_time(TimeOfDay value);
  /// Into TIMESTAMP (wall clock) or TIMESTAMPTZ (UTC instant).
  Status append_timestamp(Timestamp value);
  Status append_interval(Interval value);
  /// Dispatches on the Value's alternative; std::monostate appends NULL.
  Status append(const Value& value);

  /// Removes all values, keeping the allocated capacity.
  void clear();
  /// Drops the values after the first `rows` (rolls back a partly appended row).
  void truncate(std::size_t rows);
  void reserve(std::size_t rows);

  // Read access for the encoder and for tests.
  /// Bytes per value for fixed-width types; 0 for variable-length types.
  std::size_t fixed_width() const { return m_width; }
  bool is_null(std::size_t row) const { return !m_nulls.empty() && m_nulls[row] != 0; }
  /// The stored little-endian bytes of a fixed-width value.
  const std::byte* fixed_value(std::size_t row) const { return m_fixed.data() + row * m_width; }
  /// The stored bytes of a variable-length value.
  std::string_view var_value(std::size_t row) const;
  /// Bytes this column adds to a HyperBinary stream (NULL markers, prefixes and values).
  std::size_t encoded_size() const { return m_encoded_size; }

private:
  Status type_error(std::string_view what, std::string_view value_text) const;
  void grow(std::size_t rows);
  void next_row(std::uint8_t is_null);
  template <typename T> void push_fixed(const T& value);
  void push_var(std::string_view bytes);

  ColumnDefinition m_definition;
  std::size_t m_width = 0;
  std::size_t m_rows = 0;
  std::size_t m_capacity = 0; ///< rows the vectors below have room for (their size, not just capacity)
  std::size_t m_encoded_size = 0;
  std::vector<std::uint8_t> m_nulls; ///< one flag per row, only for nullable columns
  std::vector<std::byte> m_fixed;    ///< m_width bytes per row (zeros for NULL)
  std::vector<std::uint64_t> m_ends; ///< end offset into m_chars per row (variable-length)
  std::string m_chars;
};

/// A set of equally long columns matching a table's column list.
class ColumnBatch {
public:
  explicit ColumnBatch(const TableDefinition& table);
  explicit ColumnBatch(std::vector<ColumnDefinition> columns);

  std::size_t column_count() const { return m_columns.size(); }
  /// Rows in the batch; valid when every column has the same length (see check_complete()).
  std::size_t row_count() const { return m_columns.empty() ? 0 : m_columns.front().size(); }
  Column& column(std::size_t index) { return m_columns.at(index); }
  const Column& column(std::size_t index) const { return m_columns.at(index); }
  std::span<const Column> columns() const { return m_columns; }

  /// Appends one value per column. On error the partial row is rolled back, so the batch stays
  /// rectangular.
  Status append_row(std::span<const Value> row);
  Status append_row(std::initializer_list<Value> row) {
    return append_row(std::span<const Value>(row.begin(), row.size()));
  }
  /// An error unless every column holds row_count() values.
  Status check_complete() const;
  /// Bytes the batch adds to a HyperBinary stream.
  std::size_t encoded_size() const;
  void clear();
  /// Drops every column's values after the first `rows` (rolls back a partly appended row).
  void truncate(std::size_t rows);
  void reserve(std::size_t rows);

private:
  std::vector<Column> m_columns;
};

} // namespace hyperpipe
