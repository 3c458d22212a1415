#pragma once
// Turning header cells into usable column names, shared by every source with a header row.

#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::sources {

/// Blank names become column_N (1-based) and repeats get _2, _3, ... Each change is described
/// in `notes`, so nothing is renamed silently. A name with a NUL byte or invalid UTF-8 (binary
/// garbage, a wrong encoding) is an error naming `where` (file and line), the column and the
/// bytes: no extract can hold such a name.
Result<std::vector<std::string>> clean_column_names(const std::vector<std::string>& raw, std::vector<std::string>& notes,
                                                    std::string_view where);

} // namespace hyperpipe::sources
