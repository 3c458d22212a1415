#pragma once
// Comparing an existing table with the columns new data brings, for appends. Pure.

#include <string>
#include <vector>

#include "hyperpipe/table.hpp"

namespace hyperpipe::extract {

/// Human-readable differences (empty when the columns match by name, type and nullability, in
/// order). Each line names the column and both sides.
std::vector<std::string> schema_differences(const TableDefinition& existing, const TableDefinition& incoming);

} // namespace hyperpipe::extract
