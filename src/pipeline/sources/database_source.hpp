#pragma once
// The database source types of pipelines (postgres, sqlite, odbc): a table or a query, read as
// batches and staged into the run's .hyper; an incremental source's watermark is pushed down as
// a WHERE condition, so the database sends only new rows.

#include "pipeline/sources/source_plugin.hpp"

namespace hyperpipe::pipeline {

const SourceType& postgres_source_type();
const SourceType& sqlite_source_type();
const SourceType& odbc_source_type();

} // namespace hyperpipe::pipeline
