#pragma once
/// \file
/// The rows of a query, in hyperd's text form (exactly what `hyperpipe query` prints).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/sql_type.hpp"

namespace hyperpipe {

struct ResultColumn {
  std::string name;
  std::optional<SqlType> type; ///< empty when hyperd reports a type hyperpipe does not map
  std::uint32_t type_oid = 0;  ///< as hyperd reports it, for naming unmapped types
  std::int32_t type_modifier = -1;
};

struct QueryResult {
  std::vector<ResultColumn> columns;
  /// rows[r][c]; std::nullopt is NULL.
  std::vector<std::vector<std::optional<std::string>>> rows;
};

} // namespace hyperpipe
