// Next-fire-time tables for cron schedules, checked against the rules of Vixie cron (field
// syntax, day-of-month OR day-of-week) and the documented DST behaviour, in two zones.
#include <gtest/gtest.h>

#include <date/tz.h>

#include <string>
#include <vector>

#include "schedule/cron.hpp"

namespace hyperpipe::schedule {
namespace {

std::vector<std::string> fires(const std::string& cron, const std::string& zone_name, const std::string& from, int count) {
  const auto schedule = CronSchedule::parse(cron);
  EXPECT_TRUE(schedule.ok()) << cron;
  const date::time_zone* zone = find_zone(zone_name).value();
  Instant at = parse_instant(from, *zone).value();
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    at = schedule->next(at, *zone).value();
    out.push_back(format_instant(at, *zone));
  }
  return out;
}

using Times = std::vector<std::string>;

TEST(Cron, SpringForwardRunsOnceAtTheFirstInstantAfterTheGap) {
  // Brussels: 2026-03-29 02:00 -> 03:00. New York: 2026-03-08 02:00 -> 03:00.
  EXPECT_EQ(fires("30 2 * * *", "Europe/Brussels", "2026-03-28T12:00", 3),
            (Times{"2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"}));
  EXPECT_EQ(fires("*/15 2 * * *", "America/New_York", "2026-03-08T00:00", 3),
            (Times{"2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00", "2026-03-09T02:15:00-04:00"}));
}

TEST(Cron, FallBackRunsARepeatedTimeOnce) {
  // Brussels: 2026-10-25 03:00 -> 02:00. New York: 2026-11-01 02:00 -> 01:00.
  EXPECT_EQ(fires("30 2 * * *", "Europe/Brussels", "2026-10-24T12:00", 2),
            (Times{"2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"}));
  EXPECT_EQ(fires("0 * * * *", "Europe/Brussels", "2026-10-25T01:30", 3),
            (Times{"2026-10-25T02:00:00+02:00", "2026-10-25T03:00:00+01:00", "2026-10-25T04:00:00+01:00"}));
  EXPECT_EQ(fires("30 1 * * *", "America/New_York", "2026-10-31T12:00", 2),
            (Times{"2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"}));
}

TEST(Cron, LeapDaysAndThe31st) {
  EXPECT_EQ(fires("0 0 29 2 *", "UTC", "2026-01-01T00:00Z", 2), (Times{"2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00"}));
  EXPECT_EQ(fires("0 12 31 * *", "Europe/Brussels", "2026-04-01T00:00", 3),
            (Times{"2026-05-31T12:00:00+02:00", "2026-07-31T12:00:00+02:00", "2026-08-31T12:00:00+02:00"}));
  const auto never = CronSchedule::parse("0 0 30 2 *").value().next(Instant{}, *find_zone("UTC").value());
  ASSERT_FALSE(never.ok());
  EXPECT_NE(never.error().message.find("never fires in the next eight years"), std::string::npos);
}

TEST(Cron, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // 2026-02-01 is a Sunday; the 13th of February 2026 is a Friday.
  EXPECT_EQ(fires("0 0 13 * 5", "UTC", "2026-02-01T00:00Z", 4),
            (Times{"2026-02-06T00:00:00+00:00", "2026-02-13T00:00:00+00:00", "2026-02-20T00:00:00+00:00",
                   "2026-02-27T00:00:00+00:00"}));
  // Only one restricted: both must hold (every day is a "*" day of week).
  EXPECT_EQ(fires("0 0 13 * *", "UTC", "2026-02-01T00:00Z", 2), (Times{"2026-02-13T00:00:00+00:00", "2026-03-13T00:00:00+00:00"}));
  EXPECT_EQ(fires("0 0 * * fri", "UTC", "2026-02-01T00:00Z", 2), (Times{"2026-02-06T00:00:00+00:00", "2026-02-13T00:00:00+00:00"}));
  // A step on the star still counts as unrestricted ("*/2" day of month AND Monday).
  EXPECT_EQ(fires("0 0 */2 * mon", "UTC", "2026-02-01T00:00Z", 2), (Times{"2026-02-09T00:00:00+00:00", "2026-02-23T00:00:00+00:00"}));
}

TEST(Cron, ListsRangesStepsNamesAndMacros) {
  EXPECT_EQ(fires("0 6 * * 1-5", "Europe/Brussels", "2026-11-27T07:00", 2), // Friday after 6:00
            (Times{"2026-11-30T06:00:00+01:00", "2026-12-01T06:00:00+01:00"}));
  EXPECT_EQ(fires("5,35 */6 * jan-mar 7", "UTC", "2026-01-01T00:00Z", 3), // Sundays (7 = 0)
            (Times{"2026-01-04T00:05:00+00:00", "2026-01-04T00:35:00+00:00", "2026-01-04T06:05:00+00:00"}));
  EXPECT_EQ(fires("1-10/4 0 1 1 *", "UTC", "2026-01-01T00:00Z", 3),
            (Times{"2026-01-01T00:01:00+00:00", "2026-01-01T00:05:00+00:00", "2026-01-01T00:09:00+00:00"}));
  EXPECT_EQ(fires("@weekly", "UTC", "2026-11-25T00:00Z", 1), (Times{"2026-11-29T00:00:00+00:00"}));
  EXPECT_EQ(fires("@hourly", "Asia/Kolkata", "2026-11-25T10:10", 1), (Times{"2026-11-25T11:00:00+05:30"}));
  EXPECT_EQ(fires("@monthly", "UTC", "2026-11-25T00:00Z", 1), (Times{"2026-12-01T00:00:00+00:00"}));
  EXPECT_EQ(fires("@yearly", "UTC", "2026-11-25T00:00Z", 1), (Times{"2027-01-01T00:00:00+00:00"}));
}

TEST(Cron, ErrorsNameTheFieldAndWhatIsAllowed) {
  const auto message = [](const std::string& cron) { return CronSchedule::parse(cron).error().message; };
  EXPECT_EQ(message("0 6 * *"), "\"0 6 * *\" has 4 fields; a schedule has 5");
  EXPECT_EQ(message("0 24 * * *"), "column 3: hour field \"24\": 24-24 is outside 0-23");
  EXPECT_EQ(message("0 6 * * mon-fro"), "column 9: day of week field \"mon-fro\": \"fro\" is not a value");
  EXPECT_EQ(message("*/0 * * * *"), "column 1: minute field \"*/0\": \"0\" is not a step");
  EXPECT_EQ(message("0 0 5-1 * *"), "column 5: day of month field \"5-1\": 5-1 is outside 1-31");
  EXPECT_EQ(message("1,,2 * * * *"), "column 1: minute field \"1,,2\": an empty list item");
  EXPECT_EQ(message("@fortnightly"), "\"@fortnightly\" is not a cron macro");
  EXPECT_EQ(CronSchedule::parse("0 0 * 13 *").error().hint,
            "allowed: *, numbers 1-12, names jan-dec, ranges a-b, steps /n, lists a,b");
  EXPECT_FALSE(find_zone("Europe/Brusels").ok());
  EXPECT_FALSE(parse_instant("yesterday", *find_zone("UTC").value()).ok());
}

} // namespace
} // namespace hyperpipe::schedule

namespace hyperpipe::schedule {
namespace {

TEST(Cron, SystemdCalendarExpressions) {
  const auto calendar = [](const std::string& cron) {
    return CronSchedule::parse(cron).value().to_systemd_calendar("Europe/Brussels");
  };
  EXPECT_EQ(calendar("0 6 * * 1-5"), (std::vector<std::string>{"Mon..Fri *-*-* 06:00:00 Europe/Brussels"}));
  EXPECT_EQ(calendar("*/15 * * * *"), (std::vector<std::string>{"*-*-* *:00,15,30,45:00 Europe/Brussels"}));
  EXPECT_EQ(calendar("30 2 1,15 jan-mar *"), (std::vector<std::string>{"*-01..03-01,15 02:30:00 Europe/Brussels"}));
  EXPECT_EQ(calendar("0 0 13 * fri"),
            (std::vector<std::string>{"*-*-13 00:00:00 Europe/Brussels", "Fri *-*-* 00:00:00 Europe/Brussels"}));
  EXPECT_EQ(calendar("@weekly"), (std::vector<std::string>{"Sun *-*-* 00:00:00 Europe/Brussels"}));
}

} // namespace
} // namespace hyperpipe::schedule
