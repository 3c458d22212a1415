#pragma once
// What a pipeline remembers between runs: per incremental source, the largest value loaded so
// far (the watermark). A small JSON file beside the outputs, replaced atomically and only after
// every output of a run is committed, so a failed or killed run leaves it as it was.

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/file_lock.hpp"
#include "hyperpipe/error.hpp"

namespace hyperpipe::pipeline {

struct SourceState {
  std::string watermark; ///< in Hyper's text form; empty: none yet
  std::string type;      ///< the column's SQL type, to compare values as that type
  /// The staged tables (root first, then child tables) with their columns (name, SQL type) at
  /// the last successful run: a web API that has nothing new still yields tables of that shape.
  struct Table {
    std::string name;
    std::vector<std::pair<std::string, std::string>> columns;
  };
  std::vector<Table> tables;
};

struct RunState {
  std::map<std::string, SourceState> sources;
  std::string last_success; ///< ISO 8601 UTC of the last successful run
};

/// A missing file is an empty state (the first run); an unreadable one is an error.
Result<RunState> read_run_state(const std::filesystem::path& file);
Status write_run_state(const std::filesystem::path& file, const RunState& state);

/// Writes `text` to `file` through a temporary file and an atomic rename.
Status write_file_atomically(const std::filesystem::path& file, std::string_view text);

/// Holds an exclusive lock on `file` (created if missing) for as long as it lives: two runs of
/// one pipeline never overlap. The lock dies with the process, so a crash never leaves it stuck.
class RunLock {
public:
  /// Fails with kind already_exists when another process holds it: `busy` (with its pid
  /// appended) and `hint` say what that means.
  static Result<RunLock> acquire(const std::filesystem::path& file, const std::string& busy, const std::string& hint);

private:
  explicit RunLock(base::FileLock lock) : m_lock(std::move(lock)) {}
  base::FileLock m_lock;
};

} // namespace hyperpipe::pipeline
