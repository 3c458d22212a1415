#pragma once
// Internal state of an ExtractWriter, shared with the TableWriters it hands out (they hold a
// shared_ptr, so a TableWriter never outlives the connection it streams through).

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "hyper/engine_state.hpp"
#include "hyperpipe/extract.hpp"

namespace hyperpipe {

struct ExtractWriter::State {
  internal::EngineState* engine = nullptr;
  std::filesystem::path target;
  std::filesystem::path temporary;
  bool replace_target = true;
  std::string alias; ///< quoted alias the temporary database is attached under
  int file_version = 2;
  std::optional<hyper::Connection> connection;
  std::map<std::string, TableDefinition> tables; ///< by quoted name
  bool table_writer_active = false;
  bool finished = false;
  unsigned next_staging = 0;

  Status check_usable() const;
  /// Detaches the database and moves the finished, flushed file to `path`.
  Status finish_as(const std::filesystem::path& path, bool replace);
  /// Detaches and deletes the temporary file; the target is untouched. Idempotent.
  void abandon() noexcept;
  ~State();
};

} // namespace hyperpipe
