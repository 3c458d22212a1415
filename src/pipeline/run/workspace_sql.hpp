#pragma once
// The statements that gather staged sources into the workspace and measure what a run built.
// Pure: the runner runs exactly these and `--dry-run` prints them (a staged file's alias shown
// as <staged>).

#include <string>

namespace hyperpipe::pipeline::workspace_sql {

/// A staged table copied into the workspace from the staged file attached as `alias`.
std::string copy_staged_table(const std::string& alias, const std::string& table);
/// The attached file let go of.
std::string detach(const std::string& alias);
/// A table's rows, counted for the report (a transform's).
std::string count_rows(const std::string& table);
/// A staged table's columns without its rows (kept in the state, for an API with nothing new).
std::string shape(const std::string& table);

} // namespace hyperpipe::pipeline::workspace_sql
