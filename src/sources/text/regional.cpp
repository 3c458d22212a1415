#include "sources/text/regional.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hyperpipe::sources {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The separator characters a number may hold, longest (multi-byte spaces) first.
constexpr std::string_view k_separators[] = {"\u202F", "\u00A0", ",", ".", "'", " "};

std::string_view separator_at(std::string_view text, std::size_t pos) {
  for (const std::string_view separator : k_separators) {
    if (text.substr(pos).starts_with(separator)) {
      return separator;
    }
  }
  return {};
}

// A field as digits and separators: the separators in order and the digit runs around them.
// False for anything that is not shaped like a written number.
bool split_number(std::string_view body, std::vector<std::string_view>& separators, std::vector<std::size_t>& runs) {
  separators.clear();
  runs.assign(1, 0);
  if (body.empty() || !is_digit(body.front()) || !is_digit(body.back())) {
    return false;
  }
  for (std::size_t pos = 0; pos < body.size();) {
    if (is_digit(body[pos])) {
      ++runs.back();
      ++pos;
      continue;
    }
    const std::string_view separator = separator_at(body, pos);
    if (separator.empty() || runs.back() == 0) {
      return false;
    }
    separators.push_back(separator);
    runs.push_back(0);
    pos += separator.size();
  }
  return true;
}

// Digits grouped by three: a first group of 1 to 3 digits not starting with 0, then groups of 3.
bool groups_by_three(std::string_view body, const std::vector<std::size_t>& runs, std::size_t groups) {
  if (runs[0] < 1 || runs[0] > 3 || body.front() == '0') {
    return false;
  }
  for (std::size_t i = 1; i < groups; ++i) {
    if (runs[i] != 3) {
      return false;
    }
  }
  return true;
}

std::string describe_separator(std::string_view separator) {
  if (separator == " ") return "a space";
  if (separator == "\u00A0") return "a no-break space";
  if (separator == "\u202F") return "a narrow no-break space";
  return fmt::format("'{}'", separator);
}

// The counts of one candidate separator (every candidate has an entry).
template <typename Groupings>
auto find(Groupings& groupings, std::string_view separator) {
  return std::find_if(groupings.begin(), groupings.end(), [&](const auto& each) { return each.separator == separator; });
}

bool is_space_like(std::string_view separator) {
  return separator == " " || separator == "\u00A0" || separator == "\u202F";
}

} // namespace

void NumberFormatDetector::observe(std::string_view field) {
  std::string_view body = field;
  const bool parentheses = body.size() >= 3 && body.front() == '(' && body.back() == ')';
  if (parentheses) {
    body = body.substr(1, body.size() - 2);
  } else if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    body.remove_prefix(1);
  }
  std::vector<std::string_view>& separators = m_separators;
  std::vector<std::size_t>& runs = m_runs;
  if (!split_number(body, separators, runs)) {
    return;
  }
  m_parentheses += parentheses ? 1 : 0;
  if (separators.empty()) {
    return;
  }
  // 05.12.2026 and 2026.12.05 are dates, whatever digits their numbers would group.
  const bool date_shaped = separators.size() == 2 && separators[0] == "." && separators[1] == "." &&
                           ((runs[0] <= 2 && runs[1] <= 2 && runs[2] == 4) || (runs[0] == 4 && runs[1] <= 2 && runs[2] <= 2));
  if (date_shaped && !parentheses) {
    return;
  }
  const auto grouping = [&](std::string_view separator) -> Grouping& { return *find(m_groupings, separator); };
  const std::string_view last = separators.back();
  const bool one_kind = std::all_of(separators.begin(), separators.end(), [&](std::string_view s) { return s == last; });
  if (one_kind && separators.size() == 1 && (last == "," || last == ".")) {
    // "1,5" or "1.25": a decimal mark. "1,234" could be either: it decides nothing.
    if (runs[1] != 3) {
      ++(last == "," ? m_decimal_comma : m_decimal_point);
    } else if (groups_by_three(body, runs, 2)) {
      ++grouping(last).ambiguous;
    } else {
      ++grouping(last).broken;
    }
    return;
  }
  if (one_kind) {
    // "1.234.567" or "12 345": every separator groups, or the field is no number ("12.05.2026").
    ++(groups_by_three(body, runs, runs.size()) ? grouping(last).grouped : grouping(last).broken);
    return;
  }
  // "1.234,50": the last mark is the decimal one, the others group.
  const std::string_view group = separators.front();
  const bool grouped_then_decimal =
      (last == "," || last == ".") && group != last &&
      std::all_of(separators.begin(), separators.end() - 1, [&](std::string_view s) { return s == group; });
  if (grouped_then_decimal && groups_by_three(body, runs, runs.size() - 1)) {
    ++grouping(group).grouped;
    ++(last == "," ? m_decimal_comma : m_decimal_point);
  } else if (grouped_then_decimal) {
    ++grouping(group).broken;
  }
}

NumberFormat NumberFormatDetector::result(const RegionalSettings& settings, std::vector<std::string>& notes) const {
  NumberFormat format;
  const auto grouped = [&](std::string_view separator) {
    const auto found = find(m_groupings, separator);
    return found->grouped > 0 && found->broken == 0;
  };
  // A mark proven to group digits ("1,234,567") is not the decimal mark, whatever "2,5" says.
  const bool comma = m_decimal_comma > 0 && !grouped(",");
  const bool point = m_decimal_point > 0 && !grouped(".");
  bool decided = true; // by a setting or by evidence, not by default
  if (settings.decimal) {
    format.decimal = *settings.decimal;
  } else if (comma && !point) {
    format.decimal = ',';
  } else if (comma && point) {
    notes.emplace_back("numbers: both '.' and ',' are written as decimal marks; those with ',' are text (set decimal to choose)");
  } else if (point) {
    format.decimal = '.';
  } else if (m_decimal_comma > 0 || m_decimal_point > 0) {
    notes.emplace_back("numbers: a mark both groups digits and separates decimals; such numbers are text "
                       "(set decimal and thousands)");
  } else if (grouped(".") && !grouped(",")) {
    format.decimal = ','; // "1.234.567": '.' groups, so it is not the decimal mark
  } else {
    decided = grouped(",");
  }
  const auto ambiguous = [&](std::string_view separator) {
    const auto found = find(m_groupings, separator);
    return found->ambiguous > 0 && found->broken == 0;
  };
  if (settings.thousands) {
    format.thousands = *settings.thousands;
  } else {
    std::vector<std::string> candidates;
    for (const auto& each : m_groupings) {
      const bool usable = each.separator != std::string(1, format.decimal) &&
                          (!is_space_like(each.separator) || format.decimal == ',');
      // "1,234" groups once the decimal mark is known to be the other one.
      if (usable && (grouped(each.separator) || (decided && ambiguous(each.separator)))) {
        candidates.push_back(each.separator);
      }
    }
    if (candidates.empty() && !decided && ambiguous(",")) {
      notes.emplace_back("numbers: values such as 1,234 could have a decimal comma or group thousands; "
                         "they are text (set decimal and thousands)");
    }
    if (candidates.size() == 1) {
      format.thousands = candidates.front();
    } else if (candidates.size() > 1) {
      notes.emplace_back("numbers: several characters group digits; none is taken as a thousands separator (set thousands)");
    }
  }
  if (format.thousands == std::string(1, format.decimal)) {
    notes.push_back(fmt::format("numbers: '{}' cannot both group thousands and mark decimals; it marks decimals",
                                format.decimal));
    format.thousands.clear();
  }
  format.parenthesized_negatives = m_parentheses > 0;
  if (!format.plain()) {
    notes.push_back(fmt::format(
        "numbers: decimal {}{}{} ({}; set decimal and thousands to change)", format.decimal == ',' ? "comma" : "point",
        format.thousands.empty() ? "" : fmt::format(", {} groups thousands", describe_separator(format.thousands)),
        format.parenthesized_negatives ? ", (12.00) is negative" : "",
        settings.decimal || settings.thousands ? "as set" : "detected"));
  }
  return format;
}

void DateLayoutDetector::observe(std::string_view field) {
  // a SEP b SEP c, then an optional time after a space or T.
  std::size_t pos = 0;
  const auto run = [&]() {
    const std::size_t start = pos;
    while (pos < field.size() && is_digit(field[pos])) {
      ++pos;
    }
    return field.substr(start, pos - start);
  };
  const std::string_view a = run();
  if (pos >= field.size() || (field[pos] != '/' && field[pos] != '.' && field[pos] != '-')) {
    return;
  }
  const char separator = field[pos++];
  const std::string_view b = run();
  if (pos >= field.size() || field[pos] != separator) {
    return;
  }
  ++pos;
  const std::string_view c = run();
  if (pos < field.size() && field[pos] != ' ' && field[pos] != 'T') {
    return;
  }
  const bool year_first = a.size() == 4 && b.size() >= 1 && b.size() <= 2 && c.size() >= 1 && c.size() <= 2;
  const bool year_last = c.size() == 4 && a.size() >= 1 && a.size() <= 2 && b.size() >= 1 && b.size() <= 2;
  if ((!year_first && !year_last) || (year_first && separator == '-')) {
    return; // not such a date; ISO dates are read as they are
  }
  if (m_seen > 0 && (separator != m_separator || year_first != m_year_first)) {
    m_mixed = true;
  }
  m_separator = separator;
  m_year_first = year_first;
  ++m_seen;
  const auto number = [](std::string_view digits) {
    int value = 0;
    for (char d : digits) {
      value = value * 10 + (d - '0');
    }
    return value;
  };
  m_largest_first = std::max(m_largest_first, number(year_first ? b : a));
  m_largest_second = std::max(m_largest_second, number(year_first ? c : b));
}

DateLayoutDetector::Layouts DateLayoutDetector::result(const RegionalSettings& settings, std::string_view column,
                                                       std::vector<std::string>& notes) const {
  if (m_seen == 0 || m_mixed) {
    return {};
  }
  const std::string s(1, m_separator);
  std::string layout;
  std::string shown;
  bool as_set = false;
  if (m_year_first) {
    layout = fmt::format("%Y{0}%m{0}%d", s);
    shown = fmt::format("yyyy{0}mm{0}dd", s);
  } else {
    const bool day_first_fits = m_largest_second <= 12;
    const bool month_first_fits = m_largest_first <= 12;
    bool day_first = false;
    // The setting decides only dates that could be either: values that fix the order win.
    if (day_first_fits && month_first_fits && settings.day_first) {
      day_first = *settings.day_first;
      as_set = true;
    } else if (day_first_fits && month_first_fits) {
      if (m_separator != '.') {
        notes.push_back(fmt::format("column \"{}\": dates such as 03{}04{}2026 could be day-first or month-first; "
                                    "kept as text (set day_first)",
                                    column, s, s));
        return {};
      }
      day_first = true; // dd.mm.yyyy: the dotted layout is day-first
    } else if (day_first_fits || month_first_fits) {
      day_first = day_first_fits;
    } else {
      return {};
    }
    layout = day_first ? fmt::format("%d{0}%m{0}%Y", s) : fmt::format("%m{0}%d{0}%Y", s);
    shown = day_first ? fmt::format("dd{0}mm{0}yyyy", s) : fmt::format("mm{0}dd{0}yyyy", s);
  }
  notes.push_back(fmt::format("column \"{}\": dates written {} ({})", column, shown, as_set ? "as set" : "detected"));
  return {{layout}, {layout + " %H:%M:%S", layout + " %H:%M", layout + "T%H:%M:%S", layout}};
}

bool regional_value_options(const TextValueOptions& base, const NumberFormat& format,
                            std::vector<DateLayoutDetector>& dates, const RegionalSettings& settings,
                            std::vector<TextValueOptions>& columns) {
  if (!base.date_formats.empty() || !base.timestamp_formats.empty()) {
    dates.assign(dates.size(), DateLayoutDetector());
  }
  bool regional = !format.plain();
  columns.assign(dates.size(), base);
  for (std::size_t c = 0; c < dates.size(); ++c) {
    std::vector<std::string> not_yet; // said by the source once the column's name is known
    const auto layouts = dates[c].result(settings, "", not_yet);
    TextValueOptions& values = columns[c];
    values.numbers = format;
    values.date_formats.insert(values.date_formats.begin(), layouts.dates.begin(), layouts.dates.end());
    values.timestamp_formats.insert(values.timestamp_formats.begin(), layouts.timestamps.begin(), layouts.timestamps.end());
    regional = regional || !layouts.dates.empty();
  }
  return regional;
}

} // namespace hyperpipe::sources
