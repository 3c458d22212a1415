#pragma once
/// \file
/// Value types for the columns of a .hyper file, in the units Hyper stores them in.

#include <cstdint>
#include <string>
#include <variant>

namespace hyperpipe {

/// 128-bit integer for the unscaled value of NUMERIC(p,s) with p up to 38.
__extension__ typedef __int128 Int128;

/// A calendar date, as days since 1970-01-01 (negative before). Proleptic Gregorian.
struct Date {
  std::int32_t days_since_epoch = 0;
  /// The date of a year, month (1-12) and day (1-31); no validation beyond the calendar's.
  static Date from_ymd(int year, unsigned month, unsigned day);
  bool operator==(const Date&) const = default;
};

/// A time of day in microseconds since midnight (0 .. 86'400'000'000 inclusive: 24:00:00 is valid).
struct TimeOfDay {
  std::int64_t micros = 0;
  static TimeOfDay from_hms(int hour, int minute, int second, int micro = 0);
  bool operator==(const TimeOfDay&) const = default;
};

/// A point in time in microseconds since 1970-01-01 00:00:00. For TIMESTAMP it is a wall-clock
/// time (no zone); for TIMESTAMPTZ it is a UTC instant.
struct Timestamp {
  std::int64_t micros_since_epoch = 0;
  static Timestamp from_date_time(Date date, TimeOfDay time);
  bool operator==(const Timestamp&) const = default;
};

/// An INTERVAL: months, days and microseconds are kept apart, as in PostgreSQL.
struct Interval {
  std::int32_t months = 0;
  std::int32_t days = 0;
  std::int64_t micros = 0;
  bool operator==(const Interval&) const = default;
};

/// An exact decimal: unscaled × 10^-scale. 123.45 is {12345, 2}.
struct Decimal {
  Int128 unscaled = 0;
  int scale = 0;
  bool operator==(const Decimal&) const = default;
};

/// One value of any column type; std::monostate is NULL. Text, JSON, geography (as WKT) and
/// bytes all travel as std::string.
using Value = std::variant<std::monostate, bool, std::int64_t, double, Decimal, std::string, Date,
                           TimeOfDay, Timestamp, Interval>;

} // namespace hyperpipe
