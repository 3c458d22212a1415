#include "hyperpipe/values.hpp"

#include <chrono>

namespace hyperpipe {

Date Date::from_ymd(int year, unsigned month, unsigned day) {
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{day}};
  return Date{static_cast<std::int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count())};
}

TimeOfDay TimeOfDay::from_hms(int hour, int minute, int second, int micro) {
  constexpr std::int64_t k_micros_per_second = 1'000'000;
  return TimeOfDay{((std::int64_t{hour} * 60 + minute) * 60 + second) * k_micros_per_second + micro};
}

Timestamp Timestamp::from_date_time(Date date, TimeOfDay time) {
  constexpr std::int64_t k_micros_per_day = 86'400'000'000;
  return Timestamp{std::int64_t{date.days_since_epoch} * k_micros_per_day + time.micros};
}

} // namespace hyperpipe
