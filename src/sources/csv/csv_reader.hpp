#pragma once
// Splitting CSV/TXT text into records and fields. Streaming (a record may span any number of
// input chunks), RFC 4180 quoting plus the common variants: any one-byte delimiter, a doubled
// quote or an escape character inside quotes, \n, \r\n or \r line ends, quoted newlines.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/input_stream.hpp"

namespace hyperpipe::sources {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
  /// Inside quotes, the character that makes the next one literal. Equal to `quote` for the
  /// doubled-quote convention ("a ""b"" c").
  char escape = '"';
  bool header = true;
  bool operator==(const CsvDialect&) const = default;
};

/// One record; the views stay valid until the next call to CsvReader::next.
struct CsvRecord {
  std::vector<std::string_view> fields;
  std::vector<bool> quoted;   ///< per field: it was in quotes (so "" is an empty string, not NULL)
  std::uint64_t line = 0;     ///< line on which the record starts (1-based)
  std::uint64_t end_line = 0; ///< line on which it ends (differs when a quoted field holds newlines)
};

class CsvReader {
public:
  /// A record (its fields' bytes, plus 8 per field) over `max_record_bytes` is an error.
  CsvReader(std::unique_ptr<io::InputStream> input, CsvDialect dialect, std::string name,
            std::size_t max_record_bytes = std::size_t{64} << 20U);

  /// Reads the next record; false at the end of the input. An unterminated quote is an error
  /// naming the line where the field started.
  Result<bool> next(CsvRecord& record);

  const std::string& name() const { return m_name; }

private:
  Result<bool> fill(); ///< reads more input; false at the end
  bool next_simple(CsvRecord& record); ///< the quote-free one-line fast path; false: use the general one

  std::unique_ptr<io::InputStream> m_input;
  CsvDialect m_dialect;
  std::string m_name;
  std::size_t m_max_record_bytes;
  std::string m_buffer;
  std::size_t m_pos = 0;
  std::size_t m_end = 0;
  bool m_eof = false;
  std::uint64_t m_line = 1;
  std::string m_field_bytes;            ///< the current record's field contents, back to back
  std::vector<std::size_t> m_field_ends;
};

} // namespace hyperpipe::sources
