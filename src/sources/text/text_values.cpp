#include "sources/text/text_values.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "base/utf8.hpp"
#include "batch/decimal_text.hpp"

namespace hyperpipe::sources {
namespace {

bool is_number_kind(TypeKind kind) {
  switch (kind) {
  case TypeKind::small_int:
  case TypeKind::integer:
  case TypeKind::big_int:
  case TypeKind::oid:
  case TypeKind::numeric:
  case TypeKind::real:
  case TypeKind::double_precision: return true;
  default: return false;
  }
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Reads exactly `digits` decimal digits at `pos`.
bool read_digits(std::string_view text, std::size_t& pos, int digits, int& value) {
  if (pos + static_cast<std::size_t>(digits) > text.size()) {
    return false;
  }
  value = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[pos++];
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  return true;
}

std::optional<Date> make_date(int year, int month, int day) {
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) {
    return std::nullopt; // 2023-02-29, 2024-13-01, ...
  }
  return Date{static_cast<std::int32_t>(date::sys_days{ymd}.time_since_epoch().count())};
}

// Parses "YYYY-MM-DD" at the start of `text`, advancing `pos`.
std::optional<Date> read_iso_date(std::string_view text, std::size_t& pos) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (!read_digits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-' ||
      !read_digits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' || !read_digits(text, pos, 2, day)) {
    return std::nullopt;
  }
  return make_date(year, month, day);
}

// Parses "HH:MM[:SS[.f{1,6}]]" at `pos`.
std::optional<std::int64_t> read_iso_time(std::string_view text, std::size_t& pos) {
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!read_digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' || !read_digits(text, pos, 2, minute)) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!read_digits(text, pos, 2, second)) {
      return std::nullopt;
    }
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      int digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (++digits > 6) {
          return std::nullopt; // sub-microsecond precision would be lost: not silently
        }
        micros = micros * 10 + (text[pos++] - '0');
      }
      if (digits == 0) {
        return std::nullopt;
      }
      for (int i = digits; i < 6; ++i) {
        micros *= 10;
      }
    }
  }
  const bool end_of_day = hour == 24 && minute == 0 && second == 0 && micros == 0;
  if ((hour > 23 && !end_of_day) || minute > 59 || second > 59) {
    return std::nullopt;
  }
  return ((std::int64_t{hour} * 60 + minute) * 60 + second) * 1'000'000 + micros;
}

// Parses "Z", "+hh", "+hhmm" or "+hh:mm" (and "-"), returning the offset in microseconds.
std::optional<std::int64_t> read_offset(std::string_view text, std::size_t& pos) {
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
    return 0;
  }
  if (text[pos] != '+' && text[pos] != '-') {
    return std::nullopt;
  }
  const int sign = text[pos++] == '-' ? -1 : 1;
  int hours = 0;
  int minutes = 0;
  if (!read_digits(text, pos, 2, hours)) {
    return std::nullopt;
  }
  if (pos < text.size()) {
    if (text[pos] == ':') {
      ++pos;
    }
    if (!read_digits(text, pos, 2, minutes)) {
      return std::nullopt;
    }
  }
  if (hours > 15 || minutes > 59) {
    return std::nullopt;
  }
  return sign * (std::int64_t{hours} * 60 + minutes) * 60'000'000;
}

template <typename Duration>
std::optional<date::sys_time<Duration>> parse_with_format(std::string_view text, const std::string& format) {
  std::istringstream stream{std::string(text)};
  date::sys_time<Duration> value;
  stream >> date::parse(format, value);
  if (stream.fail() || stream.peek() != std::char_traits<char>::eof()) {
    return std::nullopt;
  }
  return value;
}

// The common case for NUMERIC(p,s) with small p: [-]digits[.digits] with at most `scale`
// fractional digits and at most 18 digits in all, read straight into the unscaled integer.
// Anything else returns nothing and takes the general (exact, 128-bit) path.
std::optional<std::int64_t> parse_plain_decimal(std::string_view text, int scale) {
  constexpr int k_max_digits = 18;
  std::size_t pos = 0;
  const bool negative = !text.empty() && text[0] == '-';
  pos += negative ? 1 : 0;
  std::int64_t value = 0;
  int digits = 0;
  int fraction = -1; // digits after the point; -1 before the point
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c >= '0' && c <= '9') {
      if (++digits > k_max_digits || fraction == scale) {
        return std::nullopt;
      }
      value = value * 10 + (c - '0');
      fraction += fraction >= 0 ? 1 : 0;
    } else if (c == '.' && fraction < 0) {
      fraction = 0;
    } else {
      return std::nullopt;
    }
  }
  if (digits == 0) {
    return std::nullopt;
  }
  for (int i = std::max(fraction, 0); i < scale; ++i) {
    if (++digits > k_max_digits) {
      return std::nullopt;
    }
    value *= 10;
  }
  return negative ? -value : value;
}

} // namespace

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true") {
    return true;
  }
  if (text == "false") {
    return false;
  }
  if (equals_ignoring_case(text, "true")) {
    return true;
  }
  if (equals_ignoring_case(text, "false")) {
    return false;
  }
  for (const auto& [yes, no] : {std::pair{"yes", "no"}, std::pair{"y", "n"}, std::pair{"1", "0"}}) {
    if (equals_ignoring_case(text, yes)) {
      return true;
    }
    if (equals_ignoring_case(text, no)) {
      return false;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> plain_number(std::string_view text, const NumberFormat& format, std::string& buffer) {
  if (format.plain()) {
    return text;
  }
  const bool has_mark = text.find_first_of(",.()'") != std::string_view::npos ||
                        (!format.thousands.empty() && text.find(format.thousands) != std::string_view::npos);
  if (!has_mark) {
    return text;
  }
  std::string_view body = text;
  buffer.clear();
  if (format.parenthesized_negatives && body.size() >= 3 && body.front() == '(' && body.back() == ')') {
    body = body.substr(1, body.size() - 2);
    buffer += '-';
  } else if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    buffer += body.front() == '-' ? "-" : "";
    body.remove_prefix(1);
  }
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t pos = 0;
  std::size_t group = 0;
  std::size_t digits = 0;
  bool grouped = false;
  while (pos < body.size()) {
    if (is_digit(body[pos])) {
      buffer += body[pos++];
      ++group;
      ++digits;
    } else if (!format.thousands.empty() && body.substr(pos).starts_with(format.thousands)) {
      // Groups of three after a first group of one to three digits that is not a lone zero.
      const bool fits = grouped ? group == 3 : (group >= 1 && group <= 3 && body.front() != '0');
      if (!fits) {
        return std::nullopt;
      }
      grouped = true;
      group = 0;
      pos += format.thousands.size();
    } else {
      break;
    }
  }
  if ((grouped && group != 3) || digits == 0) {
    return std::nullopt;
  }
  if (pos < body.size() && body[pos] == format.decimal) {
    buffer += '.';
    ++pos;
    const std::size_t fraction = pos;
    while (pos < body.size() && is_digit(body[pos])) {
      buffer += body[pos++];
    }
    if (pos == fraction) {
      return std::nullopt;
    }
  }
  if (pos < body.size() && (body[pos] == 'e' || body[pos] == 'E')) {
    buffer += body.substr(pos); // the exponent, checked by the number parsers
    pos = body.size();
  }
  if (pos != body.size()) {
    return std::nullopt;
  }
  return std::string_view(buffer);
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    digits.remove_prefix(1);
  }
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) {
    return std::nullopt;
  }
  if (text.front() == '+') {
    text.remove_prefix(1);
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  if (equals_ignoring_case(text, "nan")) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  std::string_view body = text;
  const bool negative = body.front() == '-';
  if (body.front() == '-' || body.front() == '+') {
    body.remove_prefix(1);
  }
  if (equals_ignoring_case(body, "inf") || equals_ignoring_case(body, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (body.empty() || !(std::isdigit(static_cast<unsigned char>(body.front())) || body.front() == '.')) {
    return std::nullopt; // from_chars alone would accept "nan(...)" and hex-like forms
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc() || end != body.data() + body.size()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

std::optional<Date> parse_date(std::string_view text, const TextValueOptions& options) {
  std::size_t pos = 0;
  if (auto iso = read_iso_date(text, pos); iso && pos == text.size()) {
    return iso;
  }
  for (const auto& format : options.date_formats) {
    if (auto parsed = parse_with_format<date::days>(text, format)) {
      return Date{static_cast<std::int32_t>(parsed->time_since_epoch().count())};
    }
  }
  return std::nullopt;
}

std::optional<ParsedTimestamp> parse_timestamp(std::string_view text, const TextValueOptions& options) {
  std::size_t pos = 0;
  const auto day = read_iso_date(text, pos);
  if (day && pos == text.size()) {
    // A plain date in a timestamp column (type inference joins dates and timestamps): midnight.
    return ParsedTimestamp{Timestamp{std::int64_t{day->days_since_epoch} * 86'400'000'000}, false};
  }
  if (day && pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    ++pos;
    if (const auto time = read_iso_time(text, pos)) {
      std::int64_t micros = std::int64_t{day->days_since_epoch} * 86'400'000'000 + *time;
      if (pos == text.size()) {
        return ParsedTimestamp{Timestamp{micros}, false};
      }
      if (text[pos] == ' ') {
        ++pos; // "2024-01-01 10:00:00 +02:00"
      }
      if (pos < text.size()) {
        if (const auto offset = read_offset(text, pos); offset && pos == text.size()) {
          return ParsedTimestamp{Timestamp{micros - *offset}, true};
        }
      }
    }
  }
  for (const auto& format : options.timestamp_formats) {
    if (auto parsed = parse_with_format<std::chrono::microseconds>(text, format)) {
      return ParsedTimestamp{Timestamp{parsed->time_since_epoch().count()},
                             format.find("%z") != std::string::npos || format.find("%Ez") != std::string::npos};
    }
  }
  return std::nullopt;
}

std::optional<TimeOfDay> parse_time(std::string_view text) {
  std::size_t pos = 0;
  const auto micros = read_iso_time(text, pos);
  if (!micros || pos != text.size()) {
    return std::nullopt;
  }
  return TimeOfDay{*micros};
}

Status append_text_value(Column& column, std::string_view text, const TextValueOptions& options) {
  const SqlType& type = column.definition().type;
  const auto refuse = [&](std::string_view what) -> Status {
    Error error = make_error(ErrorKind::value, "");
    error.detail = fmt::format("\"{}\" is not {}", base::printable_excerpt(text), what);
    error.message = fmt::format("column \"{}\" ({}): {}", column.definition().name, type.sql(), error.detail);
    return error;
  };
  // Numbers in a regional format are read in the plain one; a number that does not fit it is refused.
  std::string buffer;
  std::string_view number = text;
  if (!options.numbers.plain() && is_number_kind(type.kind())) {
    const auto plain = plain_number(text, options.numbers, buffer);
    if (!plain) {
      return refuse(fmt::format("a number written with decimal {}{}", options.numbers.decimal == ',' ? "comma" : "point",
                                options.numbers.thousands.empty() ? "" : " and thousands '" + options.numbers.thousands + "'"));
    }
    number = *plain;
  }
  switch (type.kind()) {
  case TypeKind::boolean: {
    const auto value = parse_bool(text);
    return value ? column.append_bool(*value) : refuse("a boolean (true/false, yes/no, y/n)");
  }
  case TypeKind::small_int:
  case TypeKind::integer:
  case TypeKind::big_int:
  case TypeKind::oid: {
    std::int64_t value = 0;
    const std::string_view digits = !number.empty() && number.front() == '+' ? number.substr(1) : number;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      return refuse("an integer");
    }
    return column.append_int(value);
  }
  case TypeKind::numeric: {
    if (const auto fast = parse_plain_decimal(number, type.scale())) {
      return column.append_decimal(Decimal{*fast, type.scale()});
    }
    const auto value = parse_decimal_text(number);
    return value ? column.append_decimal(*value) : refuse("a decimal number");
  }
  case TypeKind::real:
  case TypeKind::double_precision: {
    const auto value = parse_double(number);
    return value ? column.append_double(*value) : refuse("a number");
  }
  case TypeKind::date: {
    const auto value = parse_date(text, options);
    return value ? column.append_date(*value) : refuse("a date (YYYY-MM-DD or --date-format)");
  }
  case TypeKind::time: {
    const auto value = parse_time(text);
    return value ? column.append_time(*value) : refuse("a time of day (HH:MM:SS)");
  }
  case TypeKind::timestamp:
  case TypeKind::timestamp_tz: {
    const auto value = parse_timestamp(text, options);
    if (!value) {
      return refuse("a timestamp (ISO 8601 or --timestamp-format)");
    }
    if (type.kind() == TypeKind::timestamp && value->has_offset) {
      return refuse("a timestamp without time zone (it has an offset; use timestamptz)");
    }
    return column.append_timestamp(value->value);
  }
  case TypeKind::text:
  case TypeKind::varchar:
  case TypeKind::character:
  case TypeKind::json:
  case TypeKind::geography:
  case TypeKind::bytes: return column.append_text(text);
  case TypeKind::interval: return refuse("supported as text input for INTERVAL");
  }
  return refuse("convertible");
}

} // namespace hyperpipe::sources
