#pragma once
// Reading a pipeline file for a command: every problem printed with its position.

#include <optional>
#include <string>

#include "pipeline/config/pipeline_spec.hpp"

namespace hyperpipe::cli {

/// Loads and checks a pipeline; prints every problem (secrets redacted) and returns nullopt if
/// there are any.
std::optional<pipeline::PipelineSpec> load_or_report(const std::string& file);

} // namespace hyperpipe::cli
