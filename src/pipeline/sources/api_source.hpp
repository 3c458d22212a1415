#pragma once
// The web API source type of pipelines (type: api).

#include "pipeline/sources/source_plugin.hpp"

namespace hyperpipe::pipeline {

const SourceType& api_source_type();

} // namespace hyperpipe::pipeline
