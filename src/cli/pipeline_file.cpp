#include "cli/pipeline_file.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "net/http.hpp"

namespace hyperpipe::cli {

std::optional<pipeline::PipelineSpec> load_or_report(const std::string& file) {
  auto parsed = pipeline::load_pipeline(file, pipeline::process_environment());
  if (!parsed.spec) {
    fmt::print(stderr, "{}", net::redact(parsed.diagnostics.describe(file), parsed.secrets));
    fmt::print(stderr, "hyperpipe: error: {} has {} problem{}; nothing was run\n", file, parsed.diagnostics.items().size(),
               parsed.diagnostics.items().size() == 1 ? "" : "s");
    return std::nullopt;
  }
  return std::move(parsed.spec);
}


} // namespace hyperpipe::cli
