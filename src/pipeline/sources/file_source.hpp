#pragma once
// The file source types of pipelines (csv, json, xlsx, parquet).

#include "pipeline/sources/source_plugin.hpp"

namespace hyperpipe::pipeline {

const SourceType& csv_source_type();
const SourceType& json_source_type();
const SourceType& xlsx_source_type();
const SourceType& parquet_source_type();

} // namespace hyperpipe::pipeline
