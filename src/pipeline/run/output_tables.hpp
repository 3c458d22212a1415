#pragma once
// Writing one planned table into an output extract: its columns from the query's shape, its
// mode's statements (pipeline/run/output_sql), NUMERIC narrowed where the output's file version
// has no 128-bit numerics, and the row counts the run report shows.

#include "hyperpipe/extract.hpp"
#include "pipeline/run/plan.hpp"
#include "pipeline/run/run_report.hpp"

namespace hyperpipe::pipeline {

Status write_output_table(ExtractWriter& writer, const PlannedTable& table, OutputTableReport& report);

/// The report of a table that came into the output as its source staged it (nothing copied):
/// every row written, none replaced.
Status report_direct_table(ExtractWriter& writer, const PlannedTable& table, OutputTableReport& report);

} // namespace hyperpipe::pipeline
