#pragma once
// libpq's handles owned, and its messages tidied, the same way for both of its users: the
// connection to hyperd (hyper/wire) and PostgreSQL sources (sources/database).

#include <libpq-fe.h>

#include <memory>
#include <string>

namespace hyperpipe::base {

struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

struct PgConnectionDeleter {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
using PgConnectionPtr = std::unique_ptr<PGconn, PgConnectionDeleter>;

/// A libpq message without the newline and blanks it ends with; "" for none.
inline std::string trimmed_pg_message(const char* text) {
  std::string out = text == nullptr ? "" : text;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

} // namespace hyperpipe::base
