#pragma once
// Turning header cells into usable column names, shared by every source with a header row.

#include <string>
#include <vector>

namespace hyperpipe::sources {

/// Blank names become column_N (1-based) and repeats get _2, _3, ... Each change is described
/// in `notes`, so nothing is renamed silently.
std::vector<std::string> clean_column_names(const std::vector<std::string>& raw, std::vector<std::string>& notes);

} // namespace hyperpipe::sources
