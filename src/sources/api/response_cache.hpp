#pragma once
// The development cache of API answers (opt-in, `cache:` in a pipeline): while a pipeline is
// being written, re-runs read earlier answers from disk instead of spending API quota. An entry
// is named by a hash of the whole request (method, URL with its parameters and key, body), so
// no secret is ever written to disk; it expires after a time to live.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "net/http.hpp"

namespace hyperpipe::sources {

class ResponseCache {
public:
  ResponseCache(std::filesystem::path folder, std::chrono::seconds ttl) : m_folder(std::move(folder)), m_ttl(ttl) {}

  /// A stored 2xx answer younger than the time to live, if any.
  std::optional<net::HttpResponse> lookup(const std::string& request, std::int64_t now) const;
  /// Stores a 2xx answer (written to a temporary file and renamed: readers never see half).
  void store(const std::string& request, const net::HttpResponse& response, std::int64_t now) const;

  /// The entry's file for a request (32 hex digits of two independent 64-bit hashes).
  std::filesystem::path entry(const std::string& request) const;

private:
  std::filesystem::path m_folder;
  std::chrono::seconds m_ttl;
};

} // namespace hyperpipe::sources
