#pragma once
// Exit codes, documented in README.md ("Exit codes"). Scripts and schedulers branch on them,
// so they never change meaning.

#include "hyperpipe/error.hpp"

namespace hyperpipe::cli {

enum ExitCode : int {
  k_exit_ok = 0,
  k_exit_failure = 1, ///< anything not covered below (including internal errors)
  k_exit_usage = 2,   ///< bad command line (CLI11 reports these itself)
  k_exit_input = 3,   ///< a file is missing, unreadable, exists already, or is not a .hyper file
  k_exit_engine = 4,  ///< hyperd could not be found, started, or reached
  k_exit_sql = 5,     ///< hyperd rejected a statement
  k_exit_data = 6,    ///< a value or schema does not fit (type, range, mismatched columns)
  k_exit_publish = 7, ///< Tableau Server refused the publish, or could not be reached
  k_exit_config = 8,  ///< a pipeline file is invalid (hyperpipe validate / run)
  k_exit_source = 9,  ///< a pipeline source could not be read (file, API, database)
  k_exit_busy = 10,   ///< the pipeline is already running (another process holds its lock)
  k_exit_outcome_unknown = 11, ///< a publish was sent but its answer lost: check before repeating it
};

ExitCode exit_code_for(const Error& error);

/// Prints "hyperpipe: error: ..." (and the hint) to stderr; returns the matching exit code.
int report(const Error& error);

} // namespace hyperpipe::cli
