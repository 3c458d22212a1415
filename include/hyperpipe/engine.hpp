#pragma once
/// \file
/// HyperEngine: a running hyperd owned by this process. Start one per process (Hyper sizes its
/// memory for the whole machine); extracts are written and read through it.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hyperpipe/error.hpp"
#include "hyperpipe/inspect.hpp"
#include "hyperpipe/query_result.hpp"

namespace hyperpipe {

struct EngineOptions {
  /// The hyperd binary or its folder. Unset: HYPERPIPE_HYPERD, the .venv of a checkout the running
  /// program sits in, then any importable tableauhyperapi.
  std::optional<std::filesystem::path> hyperd;
  /// File format version for new extracts (0-4). 2 opens in Tableau 2020.4.15/2022.1.2 and later.
  int default_file_version = 2;
  /// Folder for hyperd.log. Unset: hyperd writes no log file.
  std::optional<std::filesystem::path> log_dir;
  /// How much memory hyperd may use before it spills to disk: bytes with an optional unit
  /// ("4g", "512m") or a share of the machine ("50%"). Unset: half of the machine's memory
  /// or of its cgroup's limit, whichever is smaller.
  std::optional<std::string> memory_limit;
  std::chrono::milliseconds start_timeout{30'000};
  std::chrono::milliseconds shutdown_timeout{5'000};
};

namespace internal {
struct EngineState;
}

class HyperEngine {
public:
  static Result<HyperEngine> start(const EngineOptions& options = {});

  HyperEngine(HyperEngine&&) noexcept;
  HyperEngine& operator=(HyperEngine&&) noexcept;
  ~HyperEngine(); ///< shuts hyperd down; never throws

  /// Stops hyperd gracefully; an error if it had to be killed or exited with a failure.
  Status shutdown();

  const std::filesystem::path& hyperd_path() const;
  int default_file_version() const;
  /// The memory limit hyperd runs with ("12288m", "50%").
  const std::string& memory_limit() const;
  /// Spawn to ready, as measured at start.
  std::chrono::microseconds startup_time() const;

  /// Runs one SQL statement with `file` as the current database and returns its rows as text.
  Result<QueryResult> query(const std::filesystem::path& file, std::string_view sql);
  /// Describes a .hyper file: version, schemas, tables, columns, row counts, keys.
  Result<ExtractInfo> inspect(const std::filesystem::path& file);

  /// For the library's own components (ExtractWriter).
  internal::EngineState& state() { return *m_state; }

private:
  explicit HyperEngine(std::unique_ptr<internal::EngineState> state);
  std::unique_ptr<internal::EngineState> m_state;
};

} // namespace hyperpipe
