#pragma once
// Every run of a pipeline (manual or scheduled), recorded in a SQLite database in the state
// folder: when it started and ended, how it ended, rows per output, the report's path and the
// error. Old runs beyond a bound are removed, so months of schedules keep the file small.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::history {

struct RunRecord {
  std::int64_t id = 0;
  std::string pipeline;
  std::string started;  ///< ISO 8601 UTC
  std::string finished;
  std::string status;   ///< "succeeded" or "failed"
  std::string trigger;  ///< "manual" or "schedule"
  double seconds = 0;
  std::uint64_t rows = 0;     ///< rows in every output table after the run
  std::string outputs;        ///< "name: N rows, ..." per output
  std::string report;         ///< the JSON report's path
  std::string error;          ///< failed step and message
};

class RunHistory {
public:
  /// Opens (creating if needed) the history database.
  static Result<RunHistory> open(const std::filesystem::path& file);
  RunHistory(RunHistory&&) noexcept;
  RunHistory& operator=(RunHistory&&) noexcept;
  ~RunHistory();

  /// Records a run; keeps only the newest `keep` runs of its pipeline.
  Status record(const RunRecord& run, std::size_t keep = 1000);
  /// Newest first; an empty pipeline name means every pipeline.
  Result<std::vector<RunRecord>> list(const std::string& pipeline, std::size_t limit) const;

private:
  explicit RunHistory(void* database) : m_db(database) {}
  void* m_db = nullptr; ///< sqlite3*
};

} // namespace hyperpipe::history
