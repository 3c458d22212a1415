#pragma once
/// \file
/// What a .hyper file contains, as `hyperpipe inspect` reports it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hyperpipe/table.hpp"

namespace hyperpipe {

struct TableInfo {
  TableDefinition definition; ///< columns, types, nullability, collations and ASSUMED keys
  std::uint64_t row_count = 0;
};

struct ExtractInfo {
  std::filesystem::path path;
  int file_version = 0;
  std::string created_by_hyper_version;
  std::vector<std::string> schemas; ///< every user schema, including empty ones
  std::vector<TableInfo> tables;    ///< ordered by schema, then table name
};

} // namespace hyperpipe
