#pragma once
// A database reader (PostgreSQL, SQLite, ODBC) as a RowSource, so databases load through the same
// pump as files. One table of the reader's declared columns; nothing is rejected (a value that
// does not fit its column fails the read, naming row, column and value), so read = loaded.

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sources/database/postgres_reader.hpp"
#include "sources/row_source.hpp"

namespace hyperpipe::sources::database {

template <typename Reader>
class ReaderSource final : public RowSource {
public:
  ReaderSource(Reader reader, std::string name)
      : m_reader(std::move(reader)), m_name(std::move(name)), m_notes_before_reading(m_reader.notes().size()) {}

  const std::string& name() const override { return m_name; }

  std::vector<SourceTable> tables(const TableName& root) const override {
    return {SourceTable{{root, m_reader.columns(), {}, {}}, {}, false, m_reader.notes()}};
  }

  // Readers decode into the types they declared: a database's columns are retyped in its query.
  Result<TableRead> read(std::size_t, const TableDefinition& definition, const std::vector<bool>&,
                         const BatchSink& sink, RejectSink&) override {
    const auto& columns = m_reader.columns();
    for (std::size_t c = 0; c < definition.columns.size(); ++c) {
      if (c >= columns.size() || columns[c].type != definition.columns[c].type) {
        return make_error(ErrorKind::invalid_argument,
                          fmt::format("{}: column \"{}\" is {} in the database and cannot be loaded as another type",
                                      m_name, definition.columns[c].name, c < columns.size() ? columns[c].type.sql() : "absent"),
                          "cast it in the query instead (query: SELECT CAST(...) AS ...)");
      }
    }
    HP_ASSIGN_OR_RETURN(const ReadProgress done,
                        m_reader.read(sink, [this](const ReadProgress& progress) { m_bytes = progress.bytes; }));
    m_bytes = done.bytes;
    const auto& notes = m_reader.notes();
    return TableRead{done.rows, 0, std::nullopt,
                     {notes.begin() + static_cast<std::ptrdiff_t>(std::min(m_notes_before_reading, notes.size())), notes.end()}};
  }

  std::uint64_t bytes_read() const override { return m_bytes; }

private:
  Reader m_reader;
  std::string m_name;
  std::uint64_t m_bytes = 0;
  std::size_t m_notes_before_reading; ///< the type notes tables() reports; the rest come from reading
};

template <typename Reader>
std::unique_ptr<RowSource> as_row_source(Reader reader, std::string name) {
  return std::make_unique<ReaderSource<Reader>>(std::move(reader), std::move(name));
}

} // namespace hyperpipe::sources::database
