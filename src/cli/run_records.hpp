#pragma once
// What happens after a pipeline run, whoever started it (`hyperpipe run`, or the scheduler for a
// run that could not speak for itself: killed, or its file became invalid): the run goes into the
// history, and the pipeline's notify: targets hear about it.

#include <filesystem>
#include <string>

#include "pipeline/config/pipeline_spec.hpp"
#include "pipeline/run/run_report.hpp"

namespace hyperpipe::cli {

/// Records the run (a warning on stderr if the history cannot be written) and sends the
/// notifications the pipeline asks for (warnings on stderr for those not delivered).
/// `report_file`: where the run's JSON report is (or the scheduler's log of it).
void after_run(const pipeline::PipelineSpec& spec, const pipeline::RunReport& report,
               const std::filesystem::path& report_file, const std::string& trigger);

} // namespace hyperpipe::cli
