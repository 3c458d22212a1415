#pragma once
/// \file
/// Errors as values. Every operation that can fail for reasons outside the program's control
/// (a missing file, hyperd refusing a statement, a value that does not fit its column) returns a
/// `Result<T>`. Only programmer errors (calling a method on a moved-from object) throw.

#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace hyperpipe {

/// What went wrong, coarse enough for a caller to decide what to do (and for the CLI's exit code).
enum class ErrorKind {
  invalid_argument, ///< the caller asked for something impossible (bad option, bad name)
  not_found,        ///< a file, table or binary that should exist does not
  already_exists,   ///< a file or table that must not exist does
  io,               ///< reading or writing a local file failed
  process,          ///< hyperd could not be started or died
  connection,       ///< the wire connection to hyperd failed
  sql,              ///< hyperd rejected a statement (see sqlstate)
  schema_mismatch,  ///< an existing table does not have the expected columns
  value,            ///< a value does not fit its column's type
  unsupported,      ///< valid, but needs a newer file version or is not implemented
  remote,           ///< a remote service (Tableau Server) refused the request or could not be reached
  outcome_unknown,  ///< a change was sent but its answer was lost: it may or may not have been applied
  internal,         ///< a bug in hyperpipe
};

/// Stable lower-case name of an error kind ("sql", "not_found", ...), used in JSON output.
const char* to_string(ErrorKind kind);

/// A failure with enough context to act on: what happened, and for SQL errors the SQLSTATE and
/// the statement that failed. `message` is complete on its own; `hint` says what to do about it.
struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
  std::string hint;
  std::string sqlstate;  ///< five characters for ErrorKind::sql, else empty
  std::string statement; ///< the statement hyperd rejected, for ErrorKind::sql
  /// For ErrorKind::value: the reason alone, without the column/row context in `message`, so a
  /// source can restate it with its own (file, line, field).
  std::string detail;
  /// A remote service's own error code (Tableau's six digits, e.g. 403007); part of `message` too.
  std::string remote_code;
  /// An HTTP request failed before any of it left this machine (no connection was made), so
  /// repeating it is safe whatever it would have done.
  bool unsent = false;

  /// The message followed by the hint (if any): what the CLI prints.
  std::string describe() const;
};

Error make_error(ErrorKind kind, std::string message, std::string hint = {});

/// Thrown by `Result<T>::value()` when the result holds an error.
class Exception : public std::exception {
public:
  explicit Exception(Error error) : m_error(std::move(error)), m_what(m_error.describe()) {}
  const Error& error() const noexcept { return m_error; }
  const char* what() const noexcept override { return m_what.c_str(); }

private:
  Error m_error;
  std::string m_what;
};

/// Either a value or an Error. A small stand-in for C++23's std::expected (not available in
/// C++20, and Debian 12 packages no tl::expected).
template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}

  bool ok() const noexcept { return m_state.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    throw_if_error();
    return std::get<0>(m_state);
  }
  const T& value() const& {
    throw_if_error();
    return std::get<0>(m_state);
  }
  T&& value() && {
    throw_if_error();
    return std::get<0>(std::move(m_state));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(m_state); }
  Error&& error() && { return std::get<1>(std::move(m_state)); }

private:
  void throw_if_error() const {
    if (!ok()) {
      throw Exception(std::get<1>(m_state));
    }
  }
  std::variant<T, Error> m_state;
};

/// Result of an operation with no value. Success is a null pointer, so the per-value checks on
/// the hot path (Column::append_*) cost one pointer, not an Error's four strings.
template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : m_error(std::make_unique<Error>(std::move(error))) {}
  Result(Result&&) noexcept = default;
  Result& operator=(Result&&) noexcept = default;
  Result(const Result& other) : m_error(other.m_error ? std::make_unique<Error>(*other.m_error) : nullptr) {}
  Result& operator=(const Result& other) {
    m_error = other.m_error ? std::make_unique<Error>(*other.m_error) : nullptr;
    return *this;
  }

  bool ok() const noexcept { return m_error == nullptr; }
  explicit operator bool() const noexcept { return ok(); }
  void value() const {
    if (m_error) {
      throw Exception(*m_error);
    }
  }
  const Error& error() const& { return *m_error; }
  Error&& error() && { return std::move(*m_error); }

private:
  std::unique_ptr<Error> m_error;
};

using Status = Result<void>;

} // namespace hyperpipe

#define HP_CONCAT_INNER(a, b) a##b
#define HP_CONCAT(a, b) HP_CONCAT_INNER(a, b)

/// Propagate an error from an expression returning Result<...>; discards the value. The
/// variable is named by line so that an HP_TRY inside a lambda inside an HP_TRY does not shadow.
#define HP_TRY(expr)                                                                               \
  do {                                                                                             \
    auto HP_CONCAT(hp_try_result_, __LINE__) = (expr);                                             \
    if (!HP_CONCAT(hp_try_result_, __LINE__).ok()) {                                               \
      return std::move(HP_CONCAT(hp_try_result_, __LINE__)).error();                               \
    }                                                                                              \
  } while (false)
/// `HP_ASSIGN_OR_RETURN(auto x, make_x());` declares x from the value or returns the error.
/// Expands to several statements: do not use as the body of an unbraced if.
#define HP_ASSIGN_OR_RETURN(lhs, expr)                                                             \
  auto HP_CONCAT(hp_result_, __LINE__) = (expr);                                                   \
  if (!HP_CONCAT(hp_result_, __LINE__).ok()) {                                                     \
    return std::move(HP_CONCAT(hp_result_, __LINE__)).error();                                     \
  }                                                                                                \
  lhs = std::move(HP_CONCAT(hp_result_, __LINE__)).value()
