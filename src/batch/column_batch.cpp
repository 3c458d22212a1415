#include <fmt/format.h>

#include "hyperpipe/column_batch.hpp"

namespace hyperpipe {

ColumnBatch::ColumnBatch(const TableDefinition& table) : ColumnBatch(table.columns) {}

ColumnBatch::ColumnBatch(std::vector<ColumnDefinition> columns) {
  m_columns.reserve(columns.size());
  for (auto& definition : columns) {
    m_columns.emplace_back(std::move(definition));
  }
}

Status ColumnBatch::append_row(std::span<const Value> row) {
  if (row.size() != m_columns.size()) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("row {} has {} values, the table has {} columns", row_count() + 1,
                                  row.size(), m_columns.size()));
  }
  const std::size_t rows = row_count();
  for (std::size_t i = 0; i < row.size(); ++i) {
    auto status = m_columns[i].append(row[i]);
    if (!status) {
      for (std::size_t j = 0; j < i; ++j) {
        m_columns[j].truncate(rows);
      }
      return status;
    }
  }
  return {};
}

Status ColumnBatch::check_complete() const {
  for (const auto& column : m_columns) {
    if (column.size() != row_count()) {
      return make_error(ErrorKind::invalid_argument,
                        fmt::format("column \"{}\" has {} values but column \"{}\" has {}",
                                    column.definition().name, column.size(),
                                    m_columns.front().definition().name, row_count()));
    }
  }
  return {};
}

std::size_t ColumnBatch::encoded_size() const {
  std::size_t size = 0;
  for (const auto& column : m_columns) {
    size += column.encoded_size();
  }
  return size;
}

void ColumnBatch::truncate(std::size_t rows) {
  for (auto& column : m_columns) {
    column.truncate(rows);
  }
}

void ColumnBatch::clear() {
  for (auto& column : m_columns) {
    column.clear();
  }
}

void ColumnBatch::reserve(std::size_t rows) {
  for (auto& column : m_columns) {
    column.reserve(rows);
  }
}

} // namespace hyperpipe
