#pragma once
// `hyperpipe schedule PIPELINE.yaml...`: runs pipelines on their schedules until stopped.

#include <filesystem>
#include <string>
#include <vector>

#include "schedule/scheduler.hpp"

namespace hyperpipe::cli {

struct DaemonOptions {
  std::filesystem::path program;  ///< this hyperpipe binary, which each run is started as
  bool json_log = false;          ///< decisions as JSON lines instead of text
  schedule::StopMode on_stop = schedule::StopMode::finish;
};

/// Returns the exit code: 0 after a stop request was carried out.
int run_schedule_daemon(const std::vector<std::string>& files, const DaemonOptions& options);

} // namespace hyperpipe::cli
