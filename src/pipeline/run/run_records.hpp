#pragma once
// What happens after a pipeline run, whoever started it (`hyperpipe run`, a library caller of
// run_pipeline, or the scheduler for a run that could not speak for itself: killed, or its file
// became invalid): the run goes into the history, and the pipeline's notify: targets hear about
// it. Separate from run_pipeline because the scheduler records runs that never reached it, and
// because the caller decides where the run's report is written.

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/config/pipeline_spec.hpp"
#include "pipeline/run/run_report.hpp"

namespace hyperpipe::pipeline {

/// Records the run in the history and sends the notifications the pipeline asks for. Returns a
/// warning per thing that could not be done (the history unwritable, a notification not
/// delivered), already redacted: the run's outcome stands either way.
/// `report_file`: where the run's JSON report is (or the scheduler's log of it).
std::vector<std::string> record_run(const PipelineSpec& spec, const RunReport& report,
                                    const std::filesystem::path& report_file, const std::string& trigger);

} // namespace hyperpipe::pipeline
