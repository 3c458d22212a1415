#include "pipeline/sources/api_spool.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;

Result<SpoolResult> fetch_to_spool(const sources::ApiFetchOptions& options, const net::HttpOptions& http,
                                   const fs::path& spool,
                                   const std::function<void(const sources::ApiFetchResult&)>& on_progress,
                                   sources::JsonInference* inference) {
  std::FILE* out = std::fopen(spool.c_str(), "wb");
  if (out == nullptr) {
    return make_error(ErrorKind::io, fmt::format("cannot write {}", spool.string()));
  }
  std::vector<char> buffer(1U << 20U); // records are small: write them in large blocks
  std::setvbuf(out, buffer.data(), _IOFBF, buffer.size());
  auto transport = net::make_curl_transport(http);
  std::mt19937 random{std::random_device{}()};
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::mutex random_mutex; // requests in flight back off from several threads
  sources::ApiEnvironment environment{transport.get(),
                                      [](std::chrono::milliseconds wait) { std::this_thread::sleep_for(wait); },
                                      [&] {
                                        std::lock_guard lock(random_mutex);
                                        return uniform(random);
                                      },
                                      {}};
  const auto started = std::chrono::steady_clock::now();
  auto fetched = sources::fetch_api_records(
      options, environment,
      [&](std::string_view record) -> Status {
        if (std::fwrite(record.data(), 1, record.size(), out) != record.size() || std::fputc('\n', out) == EOF) {
          return make_error(ErrorKind::io, fmt::format("cannot write {}", spool.string()));
        }
        return inference != nullptr ? inference->add(record) : Status{};
      },
      on_progress);
  const bool closed = std::fclose(out) == 0;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!fetched || !closed) {
    std::error_code ec;
    fs::remove(spool, ec);
    if (!fetched) {
      return std::move(fetched).error();
    }
    return make_error(ErrorKind::io, fmt::format("cannot write {}", spool.string()));
  }
  SpoolResult result;
  static_cast<sources::ApiFetchResult&>(result) = *fetched;
  result.notes.push_back(fmt::format(
      "{} page{}{}, {} record{} fetched in {:.2f} s{}{}", fetched->pages, fetched->pages == 1 ? "" : "s",
      fetched->fan_out_requests > 0 ? fmt::format(" and {} detail request(s)", fetched->fan_out_requests) : "",
      fetched->records, fetched->records == 1 ? "" : "s", seconds,
      fetched->retries > 0 ? fmt::format(", {} retried request(s)", fetched->retries) : "",
      fetched->cache_hits > 0 ? fmt::format(", {} answer(s) from the cache", fetched->cache_hits) : ""));
  if (fetched->stopped_at_max_pages) {
    result.notes.push_back(fmt::format("stopped at max_pages ({}) with more pages available", options.pagination.max_pages));
  }
  for (const auto& change : fetched->drift) {
    result.notes.push_back(fmt::format("schema drift: {}", change));
  }
  return result;
}

} // namespace hyperpipe::pipeline
