#pragma once
// One libpq connection to hyperd. One statement per call (hyperd refuses multi-statement
// queries); server errors become Error values carrying SQLSTATE, message and statement.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"
#include "hyperpipe/query_result.hpp"

namespace hyperpipe::hyper {

/// Asks hyperd to stop the statement a connection is running, from any thread (libpq's
/// cancel request, sent over its own short connection). Harmless when none is running.
class Canceller {
public:
  void cancel() const;

private:
  friend class Connection;
  std::shared_ptr<void> m_cancel;
};

class Connection {
public:
  /// Connects to hyperd at host:port as `user`. A non-empty `database` (an existing .hyper path)
  /// becomes the connection's database, so unqualified names resolve inside it.
  static Result<Connection> open(const std::string& host, int port, const std::string& user,
                                 const std::string& database = {});

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  /// Runs a statement that returns no rows (DDL, INSERT, ...). Returns the affected row count
  /// where hyperd reports one.
  Result<std::uint64_t> execute(std::string_view sql);
  /// Runs a query and returns all rows in text form.
  Result<QueryResult> query(std::string_view sql);

  /// Runs COPY ... TO STDOUT and returns every byte hyperd sends.
  Result<std::string> copy_out(std::string_view sql);

  // COPY ... FROM STDIN. Between copy_begin and copy_end/copy_abort no other call may be made.
  Status copy_begin(std::string_view sql);
  Status copy_send(std::string_view bytes);
  /// Ends the stream; returns the row count hyperd reports.
  Result<std::uint64_t> copy_end();
  /// Abandons the stream: hyperd discards it and the COPY fails (nothing is written).
  void copy_abort(std::string_view reason);

  /// What another thread uses to stop this connection's running statement.
  Result<Canceller> canceller();

private:
  struct State;
  explicit Connection(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

} // namespace hyperpipe::hyper
