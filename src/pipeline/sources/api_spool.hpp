#pragma once
// A web API's records, fetched page by page into an NDJSON file (the "spool") that the JSON
// source then reads like any file: the same flattening, child tables and type inference across
// every page, with memory bounded by a page. Used by pipeline sources and `hyperpipe load URL`.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "net/http.hpp"
#include "sources/api/api_fetch.hpp"
#include "sources/json/json_source.hpp"

namespace hyperpipe::pipeline {

struct SpoolResult : sources::ApiFetchResult {
  std::vector<std::string> notes; ///< pages, records, time, retries, cache hits, drift, max_pages
};

/// Fetches every record into `spool` (replaced). On failure the spool is removed.
/// With `inference`, each record is also handed to it (the JSON discovery pass, done while the
/// pages arrive instead of over the spool afterwards).
Result<SpoolResult> fetch_to_spool(const sources::ApiFetchOptions& options, const net::HttpOptions& http,
                                   const std::filesystem::path& spool,
                                   const std::function<void(const sources::ApiFetchResult&)>& on_progress,
                                   sources::JsonInference* inference = nullptr);

} // namespace hyperpipe::pipeline
