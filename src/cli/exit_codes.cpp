#include "cli/exit_codes.hpp"

#include "base/quoting.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace hyperpipe::cli {

ExitCode exit_code_for(const Error& error) {
  switch (error.kind) {
  case ErrorKind::invalid_argument: return k_exit_usage;
  case ErrorKind::not_found:
  case ErrorKind::already_exists:
  case ErrorKind::io: return k_exit_input;
  case ErrorKind::process:
  case ErrorKind::connection: return k_exit_engine;
  case ErrorKind::sql: return k_exit_sql;
  case ErrorKind::schema_mismatch:
  case ErrorKind::value:
  case ErrorKind::unsupported: return k_exit_data;
  case ErrorKind::remote: return k_exit_publish;
  case ErrorKind::outcome_unknown: return k_exit_outcome_unknown;
  case ErrorKind::internal: return k_exit_failure;
  }
  return k_exit_failure;
}

int report(const Error& error) {
  fmt::print(stderr, "hyperpipe: error: {}\n", base::bounded(error.describe(), 2 * base::k_quote_limit));
  if (!error.statement.empty()) {
    fmt::print(stderr, "statement: {}\n", base::bounded(error.statement));
  }
  return exit_code_for(error);
}

} // namespace hyperpipe::cli
