#pragma once
// Cron schedules as Vixie cron reads them, in an IANA time zone: five fields (minute, hour,
// day of month, month, day of week) with lists, ranges, steps and names (jan-dec, sun-sat), or
// @hourly, @daily (@midnight), @weekly, @monthly, @yearly (@annually).
//
// Day of month and day of week: when both are restricted (neither starts with '*'), a day
// matches if either does (Vixie cron's rule); otherwise both must.
//
// Daylight-saving time, decided once and documented (docs/pipeline.md, "Schedules"):
//   - a local time that does not exist (spring forward) fires once, at the first instant after
//     the gap;
//   - a local time that happens twice (fall back) fires once, at its first occurrence.
// Pure: no clock; `after` is given.

#include <array>
#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"

namespace date {
class time_zone;
}

namespace hyperpipe::schedule {

using Instant = std::chrono::sys_time<std::chrono::seconds>;

class CronSchedule {
public:
  /// Parses the expression; an error names the field, its position and what is allowed.
  static Result<CronSchedule> parse(std::string_view expression);

  /// The first fire time strictly after `after`, in `zone`; none within eight years (e.g.
  /// "0 0 30 2 *") is an error.
  Result<Instant> next(Instant after, const date::time_zone& zone) const;

  const std::string& text() const { return m_text; }

  /// The same schedule as systemd OnCalendar= expressions in `zone` (one, or two when day of
  /// month and day of week are both restricted: systemd fires on the union of its lines).
  std::vector<std::string> to_systemd_calendar(std::string_view zone) const;

private:
  bool day_matches(int day_of_month, int month, int weekday) const;

  std::string m_text;
  std::bitset<60> m_minutes;
  std::bitset<24> m_hours;
  std::bitset<32> m_days;     ///< 1-31
  std::bitset<13> m_months;   ///< 1-12
  std::bitset<7> m_weekdays;  ///< 0 = Sunday
  bool m_days_restricted = false;
  bool m_weekdays_restricted = false;
};

/// The IANA zone, or an error naming it and suggesting the format ("Europe/Brussels").
Result<const date::time_zone*> find_zone(std::string_view name);

/// "2026-03-29T03:00:00+02:00".
std::string format_instant(Instant instant, const date::time_zone& zone);

/// ISO 8601 with an offset or Z ("2026-03-29T01:30:00+01:00"), or a local time in `zone`.
Result<Instant> parse_instant(std::string_view text, const date::time_zone& zone);

} // namespace hyperpipe::schedule
