#include "schedule/cron.hpp"

// GCC 12 warns inside date.h's seconds parser (a long double assigned before use): a false
// positive in the library, silenced for its code only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/tz.h>
#pragma GCC diagnostic pop
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <vector>

namespace hyperpipe::schedule {
namespace {

struct Field {
  const char* name;
  int low;
  int high;
  std::vector<std::string_view> names; ///< index = value - low... (see value_of)
};

const std::array<Field, 5>& fields() {
  static const std::array<Field, 5> all = {{
      {"minute", 0, 59, {}},
      {"hour", 0, 23, {}},
      {"day of month", 1, 31, {}},
      {"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
      {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
  }};
  return all;
}

std::optional<int> value_of(std::string_view text, const Field& field) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc() && end == text.data() + text.size()) {
    return value;
  }
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::size_t i = 0; i < field.names.size(); ++i) {
    if (field.names[i] == lower) {
      return static_cast<int>(i) + (field.low == 1 ? 1 : 0);
    }
  }
  return std::nullopt;
}

// One field: "*", "*/15", "1-5", "1-20/5", "mon-fri", "1,15,30" and combinations by commas.
Result<std::vector<int>> parse_field(std::string_view text, const Field& field, std::size_t column) {
  const auto fail = [&](std::string_view what) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("column {}: {} field \"{}\": {}", column, field.name, text, what),
                      fmt::format("allowed: *, numbers {}-{}{}, ranges a-b, steps /n, lists a,b", field.low, field.high,
                                  field.names.empty() ? "" : fmt::format(", names {}-{}", field.names.front(), field.names.back())));
  };
  std::vector<int> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) {
      return fail("an empty list item");
    }
    int step = 1;
    std::string_view range = item;
    if (const auto slash = item.find('/'); slash != std::string_view::npos) {
      const std::string_view step_text = item.substr(slash + 1);
      const auto [end, error] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (error != std::errc() || end != step_text.data() + step_text.size() || step < 1) {
        return fail(fmt::format("\"{}\" is not a step", step_text));
      }
      range = item.substr(0, slash);
    }
    int low = field.low;
    int high = field.high == 7 ? 6 : field.high; // 7 is Sunday again: "*" covers 0-6
    if (range != "*") {
      const auto dash = range.find('-', 1);
      const auto first = value_of(range.substr(0, dash), field);
      if (!first) {
        return fail(fmt::format("\"{}\" is not a value", range.substr(0, dash)));
      }
      low = *first;
      high = low;
      if (dash != std::string_view::npos) {
        const auto last = value_of(range.substr(dash + 1), field);
        if (!last) {
          return fail(fmt::format("\"{}\" is not a value", range.substr(dash + 1)));
        }
        high = *last;
      } else if (step != 1) {
        high = field.high == 7 ? 6 : field.high; // "5/15": from 5 to the end, every 15
      }
      if (low < field.low || high > field.high || low > high) {
        return fail(fmt::format("{}-{} is outside {}-{}", low, high, field.low, field.high));
      }
    }
    for (int v = low; v <= high; v += step) {
      values.push_back(field.high == 7 && v == 7 ? 0 : v);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return values;
}

const std::vector<std::pair<std::string_view, std::string_view>>& macros() {
  static const std::vector<std::pair<std::string_view, std::string_view>> all = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"}};
  return all;
}

} // namespace

Result<CronSchedule> CronSchedule::parse(std::string_view expression) {
  CronSchedule schedule;
  schedule.m_text = std::string(expression);
  std::string text(expression);
  text.erase(0, text.find_first_not_of(" \t"));
  text.erase(text.find_last_not_of(" \t") + 1);
  if (text.starts_with("@")) {
    const auto found = std::find_if(macros().begin(), macros().end(), [&](const auto& m) { return m.first == text; });
    if (found == macros().end()) {
      return make_error(ErrorKind::invalid_argument, fmt::format("\"{}\" is not a cron macro", text),
                        "use @hourly, @daily, @weekly, @monthly or @yearly, or five fields");
    }
    text = found->second;
  }
  std::vector<std::pair<std::string_view, std::size_t>> parts; // text, 1-based column
  const std::string_view view(text);
  std::size_t at = 0;
  while (at < view.size()) {
    const auto start = view.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) {
      break;
    }
    const auto end = std::min(view.find_first_of(" \t", start), view.size());
    parts.emplace_back(view.substr(start, end - start), start + 1);
    at = end;
  }
  if (parts.size() != 5) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("\"{}\" has {} field{}; a schedule has 5", expression, parts.size(), parts.size() == 1 ? "" : "s"),
                      "minute hour day-of-month month day-of-week, e.g. \"0 6 * * 1-5\" (06:00 on weekdays)");
  }
  for (std::size_t f = 0; f < 5; ++f) {
    HP_ASSIGN_OR_RETURN(auto values, parse_field(parts[f].first, fields()[f], parts[f].second));
    for (const int v : values) {
      switch (f) {
      case 0: schedule.m_minutes.set(static_cast<std::size_t>(v)); break;
      case 1: schedule.m_hours.set(static_cast<std::size_t>(v)); break;
      case 2: schedule.m_days.set(static_cast<std::size_t>(v)); break;
      case 3: schedule.m_months.set(static_cast<std::size_t>(v)); break;
      default: schedule.m_weekdays.set(static_cast<std::size_t>(v)); break;
      }
    }
  }
  schedule.m_days_restricted = !parts[2].first.starts_with("*");
  schedule.m_weekdays_restricted = !parts[4].first.starts_with("*");
  return schedule;
}

bool CronSchedule::day_matches(int day_of_month, int month, int weekday) const {
  if (!m_months.test(static_cast<std::size_t>(month))) {
    return false;
  }
  const bool day = m_days.test(static_cast<std::size_t>(day_of_month));
  const bool week = m_weekdays.test(static_cast<std::size_t>(weekday));
  if (m_days_restricted && m_weekdays_restricted) {
    return day || week; // Vixie cron: either restriction suffices
  }
  return day && week;
}

Result<Instant> CronSchedule::next(Instant after, const date::time_zone& zone) const {
  using namespace std::chrono;
  const auto local_after = zone.to_local(after);
  auto day = floor<date::days>(local_after);
  const auto limit = day + date::days(366 * 8 + 2);
  for (; day < limit; day += date::days(1)) {
    const date::year_month_day ymd(day);
    const date::weekday weekday(day);
    if (!day_matches(static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(static_cast<unsigned>(ymd.month())),
                     static_cast<int>(weekday.c_encoding()))) {
      continue;
    }
    for (int hour = 0; hour < 24; ++hour) {
      if (!m_hours.test(static_cast<std::size_t>(hour))) {
        continue;
      }
      for (int minute = 0; minute < 60; ++minute) {
        if (!m_minutes.test(static_cast<std::size_t>(minute))) {
          continue;
        }
        const date::local_seconds local = date::local_seconds(day) + hours(hour) + minutes(minute);
        const date::local_info info = zone.get_info(local);
        Instant instant;
        if (info.result == date::local_info::unique) {
          instant = Instant(local.time_since_epoch() - info.first.offset);
        } else if (info.result == date::local_info::ambiguous) {
          instant = Instant(local.time_since_epoch() - info.first.offset); // the first occurrence
        } else {
          instant = floor<seconds>(info.second.begin); // inside the gap: the first instant after it
        }
        if (instant > after) {
          return instant;
        }
      }
    }
  }
  return make_error(ErrorKind::invalid_argument, fmt::format("\"{}\" never fires in the next eight years", m_text),
                    "check the day of month against the month (e.g. February has no 30th)");
}

namespace {

// "0,15,30,45" or "1..5" or "*": a bitset as a systemd calendar component.
template <std::size_t N>
std::string calendar_values(const std::bitset<N>& set, int low, int high, bool two_digits,
                            const std::vector<std::string_view>& names = {}) {
  bool all = true;
  for (int v = low; v <= high; ++v) {
    all = all && set.test(static_cast<std::size_t>(v));
  }
  if (all) {
    return "*";
  }
  std::vector<std::string> parts;
  for (int v = low; v <= high; ++v) {
    if (!set.test(static_cast<std::size_t>(v))) {
      continue;
    }
    int end = v;
    while (end + 1 <= high && set.test(static_cast<std::size_t>(end + 1))) {
      ++end;
    }
    const auto show = [&](int value) {
      if (!names.empty()) {
        return std::string(names[static_cast<std::size_t>(value)]);
      }
      return two_digits ? fmt::format("{:02d}", value) : fmt::format("{}", value);
    };
    parts.push_back(end > v ? fmt::format("{}..{}", show(v), show(end)) : show(v));
    v = end;
  }
  return fmt::format("{}", fmt::join(parts, ","));
}

} // namespace

std::vector<std::string> CronSchedule::to_systemd_calendar(std::string_view zone) const {
  static const std::vector<std::string_view> k_days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const std::string time = fmt::format("{}:{}:00", calendar_values(m_hours, 0, 23, true), calendar_values(m_minutes, 0, 59, true));
  const std::string month = calendar_values(m_months, 1, 12, true);
  const std::string days = calendar_values(m_days, 1, 31, true);
  const std::string weekdays = calendar_values(m_weekdays, 0, 6, false, k_days);
  const auto line = [&](const std::string& dow, const std::string& dom) {
    return fmt::format("{}*-{}-{} {} {}", dow == "*" ? "" : dow + " ", month, dom, time, zone);
  };
  if (m_days_restricted && m_weekdays_restricted) {
    return {line("*", days), line(weekdays, "*")};
  }
  return {line(m_weekdays_restricted ? weekdays : "*", m_days_restricted ? days : "*")};
}

Result<const date::time_zone*> find_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return make_error(ErrorKind::invalid_argument, fmt::format("\"{}\" is not an IANA time zone", name),
                      "use a name such as Europe/Brussels, America/New_York or UTC");
  }
}

std::string format_instant(Instant instant, const date::time_zone& zone) {
  return date::format("%FT%T%Ez", date::zoned_time<std::chrono::seconds>(&zone, instant));
}

Result<Instant> parse_instant(std::string_view text, const date::time_zone& zone) {
  std::string input(text);
  if (!input.empty() && (input.back() == 'Z' || input.back() == 'z')) {
    input.back() = '+';
    input += "00:00";
  }
  {
    std::istringstream in(input);
    date::sys_seconds instant{};
    in >> date::parse("%FT%T%Ez", instant);
    if (!in.fail()) {
      return instant;
    }
  }
  std::istringstream in(input);
  date::local_seconds local{};
  in >> date::parse("%FT%T", local);
  if (in.fail()) {
    std::istringstream again(input);
    again >> date::parse("%FT%R", local);
    if (again.fail()) {
      return make_error(ErrorKind::invalid_argument, fmt::format("\"{}\" is not an ISO 8601 date and time", text),
                        "e.g. 2026-03-29T01:30:00+01:00, 2026-03-29T00:30:00Z or 2026-03-29T01:30 (local)");
    }
  }
  const auto info = zone.get_info(local);
  return Instant(local.time_since_epoch() - info.first.offset);
}

} // namespace hyperpipe::schedule
