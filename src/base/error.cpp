#include "hyperpipe/error.hpp"

namespace hyperpipe {

const char* to_string(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::invalid_argument: return "invalid_argument";
  case ErrorKind::not_found: return "not_found";
  case ErrorKind::already_exists: return "already_exists";
  case ErrorKind::io: return "io";
  case ErrorKind::process: return "process";
  case ErrorKind::connection: return "connection";
  case ErrorKind::sql: return "sql";
  case ErrorKind::schema_mismatch: return "schema_mismatch";
  case ErrorKind::value: return "value";
  case ErrorKind::unsupported: return "unsupported";
  case ErrorKind::remote: return "remote";
  case ErrorKind::outcome_unknown: return "outcome_unknown";
  case ErrorKind::internal: return "internal";
  }
  return "internal";
}

std::string Error::describe() const {
  std::string text = message;
  if (!sqlstate.empty()) {
    text += " (SQLSTATE " + sqlstate + ")";
  }
  if (!hint.empty()) {
    text += "\nhint: " + hint;
  }
  return text;
}

Error make_error(ErrorKind kind, std::string message, std::string hint) {
  Error error;
  error.kind = kind;
  error.message = std::move(message);
  error.hint = std::move(hint);
  return error;
}

} // namespace hyperpipe
