#pragma once
// How Hyper stores dates and times: Julian day numbers and microseconds since Julian day 0.
// Kept in one place because both the batch (which stores values in this form) and readers of
// query results need the same constants.

#include <cstdint>

namespace hyperpipe::batch {

/// Day numbers hyperd accepts ("julian day N is invalid. Give a value between 38 and
/// 109203527", measured with hyperd 0.0.26963): 4713-01-01 BC to 294276-12-31 AD.
inline constexpr std::int64_t k_min_julian_day = 38;
inline constexpr std::int64_t k_max_julian_day = 109'203'527;

/// Julian day number of 1970-01-01.
inline constexpr std::int64_t k_unix_epoch_julian_day = 2'440'588;
inline constexpr std::int64_t k_micros_per_day = 86'400'000'000;
/// Microseconds from Julian day 0 (4713-11-24 BC) midnight to 1970-01-01 midnight.
inline constexpr std::int64_t k_unix_epoch_julian_micros = k_unix_epoch_julian_day * k_micros_per_day;

} // namespace hyperpipe::batch
