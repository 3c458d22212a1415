#pragma once
// The current time in UTC as ISO 8601 with milliseconds ("2026-12-05T06:00:00.123Z"): how run
// reports, events and lock holders write a moment.

#include <chrono>
#include <string>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace hyperpipe::base {

inline std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", std::chrono::floor<std::chrono::seconds>(now), millis);
}

} // namespace hyperpipe::base
