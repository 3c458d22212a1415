#pragma once
// Files → one table (their union) or one table per file → a .hyper extract: `hyperpipe load`,
// and the file and web API sources of pipelines. Opens each file as its format's row source and
// hands them to the one pump (load_sources); infers again from every row when a sample was wrong.

#include <filesystem>

#include "hyperpipe/engine.hpp"
#include "pipeline/load_options.hpp"
#include "pipeline/load_sources.hpp"

namespace hyperpipe::pipeline {

Result<LoadSummary> load_files(HyperEngine& engine, const LoadFilesOptions& options);

} // namespace hyperpipe::pipeline
