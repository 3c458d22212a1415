#pragma once
// What the fetch_api_records() unit tests share: a scripted transport that records every
// request, and a sleep that records every wait: no network, no clock.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/api/api_fetch.hpp"
#include "support/fake_http.hpp"

namespace hyperpipe::sources::api_test {

using std::chrono::milliseconds;

using ScriptedTransport = testing::FakeHttp;

struct Harness {
  ScriptedTransport transport;
  std::vector<milliseconds> waits;
  double jitter = 0.5;
  std::vector<std::string> records;
  std::vector<ApiFetchResult> progress;

  ApiEnvironment environment() {
    return ApiEnvironment{&transport, [this](milliseconds wait) { waits.push_back(wait); }, [this] { return jitter; }, {}};
  }

  Result<ApiFetchResult> fetch(const ApiFetchOptions& options) {
    return fetch_api_records(
        options, environment(),
        [this](std::string_view record) -> Status {
          records.emplace_back(record);
          return {};
        },
        [this](const ApiFetchResult& result) { progress.push_back(result); });
  }
};

inline ApiFetchOptions options_for(std::string url) {
  ApiFetchOptions options;
  options.url = std::move(url);
  return options;
}

inline std::optional<std::string> header(const net::HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) {
      return value;
    }
  }
  return std::nullopt;
}

using Strings = std::vector<std::string>;

} // namespace hyperpipe::sources::api_test
