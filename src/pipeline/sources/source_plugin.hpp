#pragma once
// How a source type plugs into pipelines. A type reads its own options from the pipeline file
// (through ConfigReader, so errors carry lines and columns) and returns a configured source;
// at run time that source stages its data as tables of a .hyper file. The runner knows nothing
// about formats or protocols: a new source type is a new SourceType in the registry, and the
// runner is untouched.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/engine.hpp"
#include "hyperpipe/table.hpp"
#include "pipeline/config/config_reader.hpp"

namespace hyperpipe::pipeline {

/// Staged files and the workspace are written in this version (128-bit numerics, Hyper 2022.4+);
/// they are internal to a run, so no Tableau ever needs to open them.
inline constexpr int k_staging_file_version = 3;

/// What a source needs to stage itself.
struct StageContext {
  HyperEngine* engine = nullptr;
  /// The .hyper file to write (committed atomically); its tables go in schema "public".
  std::filesystem::path staging_file;
  /// The root table's name (the source's name); child tables are "<table>_<suffix>".
  std::string table;
  /// The run's scratch folder (removed after the run).
  std::filesystem::path work_dir;
  /// The source loads incrementally (rows past a watermark).
  bool incremental = false;
  /// Its incremental column, for sources that push the watermark down (databases).
  std::optional<std::string> incremental_column;
  /// Last run's largest value of the incremental column, when there is one.
  std::optional<std::string> watermark;
  /// The staged tables ("public".<name>, root first) at the last successful run; empty on the
  /// first run.
  std::vector<TableDefinition> previous_tables;
  /// Where rejected rows go; unset: the first bad row fails the source.
  std::optional<std::filesystem::path> reject_file;
  /// Progress: rows staged so far, input bytes read so far and the input's size in bytes (each may
  /// stay 0 when unknown).
  std::function<void(std::uint64_t rows, std::uint64_t bytes, std::uint64_t total_bytes)> on_progress;
  /// The staged file's version, at least: 3, so the workspace (a copy of a staged file) computes
  /// with 128-bit numerics — SUM over a NUMERIC column needs them. Outputs keep their own version.
  int file_version = k_staging_file_version;
};

struct StageResult {
  std::vector<std::string> tables; ///< in "public", root first
  std::uint64_t rows_read = 0;     ///< of the root table
  std::uint64_t rows_loaded = 0;
  std::uint64_t rows_rejected = 0;
  std::uint64_t bytes = 0; ///< input bytes (files, or HTTP bodies)
  int file_version = 2;    ///< of the staged file: higher when a column type needs it
  std::vector<std::string> notes;
};

class ConfiguredSource {
public:
  virtual ~ConfiguredSource() = default;
  /// One line for --dry-run and logs, e.g. "csv data/sales.csv" (no secrets).
  virtual std::string describe() const = 0;
  virtual Result<StageResult> stage(const StageContext& context) const = 0;
  /// What `hyperpipe doctor` learns without loading anything: files readable, a database
  /// connects and its query prepares, an API answers one request with its auth. A one-line
  /// verdict, or the error (with its fix). `work_dir` is a scratch folder it may write in.
  virtual Result<std::string> probe(const std::filesystem::path& work_dir) const = 0;
};

class SourceType {
public:
  virtual ~SourceType() = default;
  virtual std::string_view name() const = 0;
  /// Reads the source's options (every key but "type" and "incremental", which the pipeline
  /// reads). Problems go to the reader's diagnostics; the result is used only if there are none.
  /// `base_dir` is the pipeline file's folder, for relative paths.
  virtual std::shared_ptr<const ConfiguredSource> configure(ConfigReader& options,
                                                            const std::filesystem::path& base_dir) const = 0;
};

/// Every registered source type.
const std::vector<const SourceType*>& source_types();
const SourceType* find_source_type(std::string_view name);

} // namespace hyperpipe::pipeline
