// When hyperd may read a CSV file itself: the file's settings that it reads alike, then the scan
// (copy_check.hpp) that proves it for every record while hyperd copies.
#include <fmt/format.h>

#include "base/quoting.hpp"
#include "base/utf8.hpp"
#include "io/input_stream.hpp"
#include "sources/csv/copy_check.hpp"
#include "sources/csv/csv_source.hpp"

namespace hyperpipe::sources {
namespace {

constexpr std::size_t k_scan_piece = std::size_t{1} << 20U;

bool plain_values(const TextValueOptions& values) {
  return values.date_formats.empty() && values.timestamp_formats.empty() && values.numbers.plain();
}

} // namespace

std::optional<ServerCopy> CsvSource::server_copy(std::size_t, const TableDefinition& definition) const {
  const CsvDialect dialect = m_dialect;
  // `automatic` stays so for UTF-8, and for gzip and UTF-16 by their first bytes (looked at below).
  const bool utf8 = m_options.encoding == io::TextEncoding::automatic || m_options.encoding == io::TextEncoding::utf8;
  const bool plain_file = utf8 && !m_separator_line && m_options.null_tokens.empty() && copy_reads_dialect(dialect) &&
                          std::all_of(m_column_values.begin(), m_column_values.end(), plain_values);
  if (!plain_file || definition.columns.size() != m_names.size()) {
    return std::nullopt;
  }
  // What the first and last bytes say is known before hyperd starts (the check would say it
  // only after).
  const auto ends = io::read_file_tail(m_path, 4);
  if (!ends || !copy_reads_start(ends->start, dialect.header) || !copy_reads_end(ends->bytes)) {
    return std::nullopt;
  }
  std::vector<SqlType> types;
  for (std::size_t i = 0; i < m_names.size(); ++i) {
    const ColumnDefinition& column = definition.columns[i];
    if (column.name != m_names[i] || !copy_supports(column.type)) {
      return std::nullopt;
    }
    types.push_back(column.type);
  }
  ServerCopy copy;
  copy.file = m_path;
  copy.with_options = fmt::format("FORMAT csv, HEADER {}, DELIMITER {}, QUOTE {}, ESCAPE {}, NULL ''",
                                  dialect.header ? "true" : "false", base::quote_literal(std::string(1, dialect.delimiter)),
                                  base::quote_literal(std::string(1, dialect.quote)),
                                  base::quote_literal(std::string(1, dialect.quote)));
  const std::size_t max_record_bytes = m_options.values.max_value_bytes;
  // Whether this source's reading of a doubtful value fails for its column's type, as read_batch
  // would find it (then a column typed from a sample is widened, not read in vain).
  const auto beyond_type = [columns = definition.columns, values = m_column_values](const CopyCheck::Value& value) {
    ColumnDefinition nullable = columns[value.column];
    nullable.nullability = Nullability::nullable;
    Column column(nullable);
    const Status appended = append_text_value(column, value.text, values[value.column]);
    return !appended && appended.error().kind == ErrorKind::value && base::is_valid_utf8(value.text);
  };
  copy.scan = [path = m_path, dialect, types = std::move(types), max_record_bytes, beyond_type](
                  const std::atomic<bool>& stop,
                  const std::function<void(std::uint64_t rows, std::uint64_t bytes)>& progress) -> FileScan {
    auto input = io::open_file(path);
    if (!input) {
      return {std::nullopt, input.error().message};
    }
    CopyCheck check(dialect, types, dialect.header, max_record_bytes);
    std::string piece(k_scan_piece, '\0');
    std::uint64_t bytes = 0;
    for (;;) {
      if (stop.load(std::memory_order_relaxed)) {
        return {std::nullopt, "stopped: hyperd's copy failed"};
      }
      auto got = (*input)->read(piece.data(), piece.size());
      if (!got) {
        return {std::nullopt, got.error().message};
      }
      if (*got == 0) {
        break;
      }
      bytes += *got;
      if (!check.feed(std::string_view(piece.data(), *got))) {
        break;
      }
      progress(check.rows(), bytes);
    }
    if (check.doubt().empty() && check.finish()) {
      return {check.rows(), {}, std::nullopt};
    }
    const auto& value = check.doubtful_value();
    if (value && beyond_type(*value)) {
      return {std::nullopt, check.doubt(), NeedsWidening{value->column, value->text, value->line}};
    }
    return {std::nullopt, check.doubt(), std::nullopt};
  };
  return copy;
}

} // namespace hyperpipe::sources
