#pragma once
// The check that lets hyperd read a CSV file itself (its own COPY ... FROM 'file', no client
// parsing): it proves, record by record, that hyperd reads the file exactly as hyperpipe's own
// reader would. Only plain forms pass — the subset on which both agree, measured against hyperd
// (tests/python/test_server_copy.py); the first doubt stops it, and the file is then read by
// hyperpipe as always (its errors, widening, rejects and notes). Pure: bytes in, a verdict out.
//
// What hyperd reads differently, so is a doubt: a blank line (hyperpipe skips it), a quote
// inside an unquoted field (hyperd opens a quoted section there), text after a closing quote,
// a lone \r line end, a quoted "" in a non-text column (hyperpipe: NULL), a NUL byte, and every
// value outside its column's plain form (copy_forms.hpp).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/sql_type.hpp"
#include "sources/csv/copy_forms.hpp"
#include "sources/csv/csv_reader.hpp"

namespace hyperpipe::sources {

/// Whether hyperd may be handed a file that starts with `first_bytes` (its first 4 or fewer):
/// not gzip, not UTF-16, and a UTF-8 byte-order mark only on a header line (hyperd skips it with
/// the line; hyperpipe drops it).
bool copy_reads_start(std::string_view first_bytes, bool header);

/// Whether a file that ends with `last_bytes` (its last 4 or fewer) may be handed to hyperd: not
/// when it ends with a blank line, which hyperd refuses and hyperpipe skips (known before copying,
/// rather than found by the check after a whole copy; a blank line elsewhere is the check's).
bool copy_reads_end(std::string_view last_bytes);

/// Whether hyperd's COPY reads files in `dialect` as hyperpipe does: quotes escaped by doubling,
/// and a delimiter and a quote that differ and are neither a line break nor a NUL byte.
bool copy_reads_dialect(const CsvDialect& dialect);

/// Checks a file's bytes as they arrive, in any pieces (the first holding the file's first 4
/// bytes, or all of a shorter file).
class CopyCheck {
public:
  /// `columns`: the table's column types in the file's order; `header`: the first line names them.
  /// A dialect copy_reads_dialect refuses is a doubt from the start.
  CopyCheck(const CsvDialect& dialect, std::vector<SqlType> columns, bool header, std::size_t max_record_bytes);

  /// Reads every record the full way, without plain_record's one pass: for the tests and the fuzz
  /// target that hold the two to the same verdict.
  void without_one_pass() { m_one_pass = false; }

  /// Checks the next bytes of the file; false once a doubt is found (doubt() says which).
  bool feed(std::string_view bytes);
  /// The end of the file: checks the last record; false on a doubt.
  bool finish();

  /// Data records checked so far (the header not counted).
  std::uint64_t rows() const { return m_rows; }
  /// Why hyperd may read the file otherwise, with its line; empty while none is found.
  const std::string& doubt() const { return m_doubt; }

  /// When the doubt is a value outside the plain forms of its column: which (the reader then
  /// decides whether its column must be widened).
  struct Value {
    std::size_t column;
    std::string text;
    std::uint64_t line;
  };
  const std::optional<Value>& doubtful_value() const { return m_value; }

private:
  enum class Step { complete, incomplete, doubt };
  struct Field {
    std::string_view value;
    bool quoted;
    bool doubled; ///< held a doubled quote
  };
  /// Checks the record starting at `pos` in `data`; on complete, `pos` is past it.
  Step check_record(std::string_view data, std::size_t& pos, bool at_end);
  /// The common record in one pass: on one line, whole in `data`, every field in its column's
  /// plain form. True and `pos` past it if so; false leaves it to check_record's full reading,
  /// which finds the doubt (the two never disagree on a record that passes).
  bool plain_record(std::string_view data, std::size_t& pos);
  /// Checks the fields found (m_fields) of `record` (a view into the data); `pos` moves past it.
  Step finish_record(std::string_view record, std::uint64_t line_breaks, std::size_t& pos);
  std::size_t record_bound() const;
  /// Whether a record of `bytes` in `fields` fields, counted as hyperpipe counts, passes the bound.
  bool too_long(std::size_t bytes, std::size_t fields) const;
  bool fail_too_long();
  bool check_field(std::size_t column, std::string_view value, bool quoted, bool doubled_quotes);
  bool fail(std::string why);
  bool check_bytes(std::string_view data, bool at_end);

  CsvDialect m_dialect;
  std::vector<SqlType> m_columns;
  std::vector<PlainForm> m_forms;
  /// Per byte: whether it ends an unquoted field's plain bytes, and how (a delimiter, a line
  /// break, a \r, or a quote or NUL that leaves the record to the full reading); 0 if it does not.
  std::array<std::uint8_t, 256> m_byte_class{};
  bool m_header;
  std::size_t m_max_record_bytes;
  std::string m_carry; ///< the start of a record the last piece cut off
  std::vector<Field> m_fields;
  bool m_one_pass = true;
  bool m_started = false;
  std::uint64_t m_line = 1;
  std::uint64_t m_rows = 0;
  std::string m_doubt;
  std::optional<Value> m_value;
};

} // namespace hyperpipe::sources
