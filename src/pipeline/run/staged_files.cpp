#include "pipeline/run/staged_files.hpp"

#include <algorithm>

namespace hyperpipe::pipeline {

bool fits_as_output(const ExtractInfo& staged, int output_version, const std::string& staged_table) {
  if (staged.file_version != output_version || staged.tables.size() != 1) {
    return false;
  }
  const TableDefinition& table = staged.tables[0].definition;
  return table.name == TableName{"public", staged_table} && table.primary_key.empty() && table.foreign_keys.empty() &&
         std::all_of(table.columns.begin(), table.columns.end(),
                     [](const ColumnDefinition& column) { return column.nullable() && column.collation.empty(); });
}

std::optional<std::size_t> workspace_base(const std::vector<WorkspaceCandidate>& files, int least_version) {
  int newest = 0;
  for (const auto& file : files) {
    if (!file.direct) {
      newest = std::max(newest, file.file_version);
    }
  }
  std::optional<std::size_t> base;
  std::uintmax_t largest = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!files[i].direct && files[i].bytes && *files[i].bytes >= largest && files[i].file_version == newest &&
        newest >= least_version) {
      largest = *files[i].bytes;
      base = i;
    }
  }
  return base;
}

} // namespace hyperpipe::pipeline
