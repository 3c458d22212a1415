#include "sources/csv/copy_forms.hpp"

#include <cstring>

namespace hyperpipe::sources {
namespace {

bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10U; }

bool digits_at(std::string_view text, std::size_t from, std::size_t count) {
  for (std::size_t i = from; i < from + count; ++i) {
    if (!is_digit(text[i])) {
      return false;
    }
  }
  return true;
}

int two_digits(std::string_view text, std::size_t at) { return (text[at] - '0') * 10 + (text[at + 1] - '0'); }

/// An optional minus, then digits with no leading zero (or "0" alone: hyperpipe refuses "007"),
/// within the range whose largest magnitudes are spelled `largest` and `smallest` (without sign).
bool integer_alike(std::string_view text, std::string_view largest, std::string_view smallest) {
  const bool negative = text.front() == '-';
  const std::string_view digits = text.substr(negative ? 1 : 0);
  if (digits.empty() || digits.size() > largest.size() || (digits.size() > 1 && digits.front() == '0') ||
      !digits_at(digits, 0, digits.size())) {
    return false;
  }
  // As long as the bound: no larger than it, compared digit by digit.
  return digits.size() < largest.size() || digits <= (negative ? smallest : largest);
}

/// An optional minus, whole digits as an integer's, then optionally a point and 1..scale digits.
bool decimal_alike(std::string_view text, int whole_digits, int fraction_digits) {
  std::size_t at = text.front() == '-' ? 1 : 0;
  const std::size_t whole_start = at;
  while (at < text.size() && is_digit(text[at])) {
    ++at;
  }
  const std::size_t whole = at - whole_start;
  if (whole == 0 || (whole > 1 && text[whole_start] == '0')) {
    return false;
  }
  const std::size_t significant = text[whole_start] == '0' ? 0 : whole;
  if (significant > static_cast<std::size_t>(whole_digits)) {
    return false;
  }
  if (at == text.size()) {
    return true;
  }
  const std::size_t fraction = text.size() - at - 1;
  return text[at] == '.' && fraction > 0 && fraction <= static_cast<std::size_t>(fraction_digits) &&
         digits_at(text, at + 1, fraction);
}

bool date_alike(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits_at(text, 0, 4) || !digits_at(text, 5, 2) ||
      !digits_at(text, 8, 2)) {
    return false;
  }
  const int year = two_digits(text, 0) * 100 + two_digits(text, 2);
  const int month = two_digits(text, 5);
  const int day = two_digits(text, 8);
  if (year < 1 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= k_days[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool timestamp_alike(std::string_view text) {
  // YYYY-MM-DD HH:MM:SS[.f{1,6}], with a space or a T between.
  if (text.size() < 19 || text.size() == 20 || text.size() > 26 || !date_alike(text.substr(0, 10)) ||
      (text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':' || !digits_at(text, 11, 2) ||
      !digits_at(text, 14, 2) || !digits_at(text, 17, 2)) {
    return false;
  }
  if (two_digits(text, 11) > 23 || two_digits(text, 14) > 59 || two_digits(text, 17) > 59) {
    return false;
  }
  return text.size() == 19 || (text[19] == '.' && digits_at(text, 20, text.size() - 20));
}

bool boolean_alike(std::string_view text) {
  switch (text.size()) {
  case 4: return text == "true" || text == "TRUE" || text == "True";
  case 5: return text == "false" || text == "FALSE" || text == "False";
  default: return false;
  }
}

} // namespace

PlainForm PlainForm::of(const SqlType& type) {
  switch (type.kind()) {
  case TypeKind::boolean: return PlainForm(Kind::boolean);
  case TypeKind::small_int: return PlainForm(Kind::int16);
  case TypeKind::integer: return PlainForm(Kind::int32);
  case TypeKind::big_int: return PlainForm(Kind::int64);
  case TypeKind::numeric: return PlainForm(Kind::decimal, type.precision() - type.scale(), type.scale());
  case TypeKind::date: return PlainForm(Kind::date);
  case TypeKind::timestamp: return PlainForm(Kind::timestamp);
  case TypeKind::text: return PlainForm(Kind::text);
  // Doubles among the rest: hyperd rounds some long ones otherwise, and flips zeros' sign.
  default: return PlainForm(Kind::none);
  }
}

bool PlainForm::reads_alike(std::string_view value) const {
  if (value.empty()) {
    return m_kind == Kind::text; // (callers pass no empty value: to both, an unquoted one is NULL)
  }
  switch (m_kind) {
  case Kind::none: return false;
  case Kind::boolean: return boolean_alike(value);
  case Kind::int16: return integer_alike(value, "32767", "32768");
  case Kind::int32: return integer_alike(value, "2147483647", "2147483648");
  case Kind::int64: return integer_alike(value, "9223372036854775807", "9223372036854775808");
  case Kind::decimal: return decimal_alike(value, m_whole_digits, m_fraction_digits);
  case Kind::date: return date_alike(value);
  case Kind::timestamp: return timestamp_alike(value);
  case Kind::text: return std::memchr(value.data(), '\0', value.size()) == nullptr;
  }
  return false;
}

bool copy_supports(const SqlType& type) { return PlainForm::of(type).copies(); }

} // namespace hyperpipe::sources
