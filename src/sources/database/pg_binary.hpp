#pragma once
// PostgreSQL's binary COPY format (COPY ... TO STDOUT (FORMAT binary)), decoded into column
// batches. Pure: bytes in, values out. Each call takes one CopyData message as libpq returns it
// (the header, a row, or the trailer; the header may share a message with the first row).
// Values are converted to Hyper's units: dates and timestamps move from PostgreSQL's 2000-01-01
// epoch to 1970-01-01, numerics from base-10000 digit groups to scaled integers, exactly.

#include <cstdint>
#include <string_view>
#include <vector>

#include "hyperpipe/column_batch.hpp"
#include "sources/database/pg_types.hpp"

namespace hyperpipe::sources::database {

class PgBinaryDecoder {
public:
  explicit PgBinaryDecoder(std::vector<PgDecode> decodes) : m_decodes(std::move(decodes)) {}

  /// Appends the row(s) in `message` to `batch`. An error names the column and the value; the
  /// batch is left rectangular (a partly decoded row is rolled back).
  Status feed(std::string_view message, ColumnBatch& batch);

  std::uint64_t rows() const { return m_rows; }
  bool finished() const { return m_finished; } ///< the trailer was seen

private:
  Status header(std::string_view& bytes);
  Status row(std::string_view& bytes, ColumnBatch& batch);
  Status field(std::size_t index, std::string_view value, Column& column) const;

  std::vector<PgDecode> m_decodes;
  bool m_header_seen = false;
  bool m_finished = false;
  std::uint64_t m_rows = 0;
};

/// A binary numeric as an exact decimal at `scale`: an error (kind value) if digits would be
/// lost or it is NaN or infinite; kind remote if the bytes are malformed. Exposed for tests.
Result<Decimal> decode_pg_numeric(std::string_view value, int scale);

} // namespace hyperpipe::sources::database
