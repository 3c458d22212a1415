#pragma once
// Naming input files and their options the same way on the command line (`hyperpipe load`) and
// in pipeline files: glob patterns, one-character options, "col=TYPE" overrides.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/sql_type.hpp"

namespace hyperpipe::pipeline {

/// Expands patterns with glob characters (sorted matches; no match is an error) and keeps plain
/// paths as they are. Relative paths resolve against `base` (empty: the working directory).
Result<std::vector<std::filesystem::path>> expand_inputs(const std::vector<std::string>& patterns,
                                                        const std::filesystem::path& base = {});

/// The inputs' sizes added up, for progress against a total (a file that cannot be read counts 0).
std::uint64_t total_size(const std::vector<std::filesystem::path>& inputs);

/// One character, or "\t"/"tab" for a tab. `what` names the option in the error.
Result<char> single_character(std::string_view what, std::string_view value);

/// "a=int,b=numeric(10,2)": commas inside parentheses belong to the type.
Result<std::map<std::string, SqlType>> parse_column_types(std::string_view text);

} // namespace hyperpipe::pipeline
