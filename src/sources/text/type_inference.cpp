#include "sources/text/type_inference.hpp"

#include <algorithm>
#include <limits>

namespace hyperpipe::sources {
namespace {

// NUMERIC up to 18 digits is stored in 64 bits and opens in every file version; wider decimals
// become DOUBLE PRECISION, as in the widening order.
constexpr int k_max_numeric_precision = 18;

// Digits before and after the point of a plain decimal ("-12.340"), or nothing if it is not one.
std::optional<std::pair<int, int>> decimal_shape(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    text.remove_prefix(1);
  }
  const auto point = text.find('.');
  if (point == std::string_view::npos || text.size() == 1) {
    return std::nullopt;
  }
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = text.substr(point + 1);
  const auto all_digits = [](std::string_view part) {
    return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!all_digits(whole) || !all_digits(fraction) || (whole.size() > 1 && whole.front() == '0')) {
    return std::nullopt;
  }
  return std::pair{static_cast<int>(std::max<std::size_t>(whole.size(), 1)), static_cast<int>(fraction.size())};
}

bool looks_like_integer(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    text.remove_prefix(1);
  }
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

TypeInference::Kind TypeInference::join(Kind a, Kind b) {
  if (a == b) {
    return a;
  }
  if (a == Kind::none) {
    return b;
  }
  if (b == Kind::none) {
    return a;
  }
  const auto numeric_rank = [](Kind k) {
    switch (k) {
    case Kind::integer: return 1;
    case Kind::big_integer: return 2;
    case Kind::decimal: return 3;
    case Kind::floating: return 4;
    default: return 0;
    }
  };
  if (numeric_rank(a) > 0 && numeric_rank(b) > 0) {
    return numeric_rank(a) > numeric_rank(b) ? a : b;
  }
  if ((a == Kind::date && b == Kind::timestamp) || (a == Kind::timestamp && b == Kind::date)) {
    return Kind::timestamp;
  }
  return Kind::text;
}

void TypeInference::widen_to(Kind kind) { m_kind = join(m_kind, kind); }

void TypeInference::observe(std::string_view text, const TextValueOptions& options) {
  if (m_kind == Kind::text) {
    return; // nothing is wider
  }
  if (m_kind == Kind::none || m_kind == Kind::boolean) {
    // 0 and 1 are numbers here: a column of them may meet a 2 tomorrow, and a count must not
    // turn into a flag on a quiet day. They are booleans only in a column declared so.
    if (text != "0" && text != "1" && parse_bool(text)) {
      // One pair per column: "yes" beside "true" is no convention, so text.
      const int words = text.size() <= 1 ? 3 : (text.size() <= 3 ? 2 : 1);
      if (m_bool_words != 0 && m_bool_words != words) {
        m_kind = Kind::text;
        return;
      }
      m_bool_words = words;
      widen_to(Kind::boolean);
      return;
    }
  }
  // Numbers in a regional format are judged in the plain one; one that does not fit it is text.
  std::string buffer;
  if (!options.numbers.plain()) {
    const auto plain = plain_number(text, options.numbers, buffer);
    if (!plain) {
      if (!observe_temporal(text, options)) {
        m_kind = Kind::text;
      }
      return;
    }
    text = *plain; // rewritten only where it held the format's marks: a number or nothing
  }
  if (looks_like_integer(text)) {
    if (const auto integer = parse_integer(text)) {
      observe_integer(*integer);
    } else {
      m_kind = Kind::text; // leading zeros ("007") or beyond 64 bits: keep every digit as written
    }
    return;
  }
  if (const auto shape = decimal_shape(text)) {
    if (m_kind == Kind::none || m_kind == Kind::integer || m_kind == Kind::big_integer || m_kind == Kind::decimal) {
      m_integer_digits = std::max(m_integer_digits, shape->first);
      m_scale = std::max(m_scale, shape->second);
      widen_to(m_integer_digits + m_scale > k_max_numeric_precision ? Kind::floating : Kind::decimal);
      return;
    }
  }
  if (parse_double(text)) {
    widen_to(Kind::floating);
    return;
  }
  if (!observe_temporal(text, options)) {
    m_kind = Kind::text;
  }
}

bool TypeInference::observe_temporal(std::string_view text, const TextValueOptions& options) {
  if (parse_date(text, options)) {
    widen_to(Kind::date);
    return true;
  }
  if (const auto timestamp = parse_timestamp(text, options)) {
    widen_to(timestamp->has_offset ? Kind::timestamp_tz : Kind::timestamp);
    return true;
  }
  return false;
}

void TypeInference::observe_integer(std::int64_t value) {
  if (m_kind == Kind::text || m_kind == Kind::floating) {
    return;
  }
  const bool fits_int = value >= std::numeric_limits<std::int32_t>::min() && value <= std::numeric_limits<std::int32_t>::max();
  int digits = 1;
  for (std::uint64_t rest = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
       rest >= 10; rest /= 10) {
    ++digits;
  }
  m_integer_digits = std::max(m_integer_digits, digits);
  if (m_kind == Kind::decimal) {
    widen_to(m_integer_digits + m_scale > k_max_numeric_precision ? Kind::floating : Kind::decimal);
    return;
  }
  widen_to(fits_int ? Kind::integer : Kind::big_integer);
}

void TypeInference::observe_string(std::string_view text, const TextValueOptions& options) {
  if (m_kind == Kind::text || !observe_temporal(text, options)) {
    m_kind = Kind::text;
  }
}

void TypeInference::merge(const TypeInference& other) {
  if (m_bool_words != 0 && other.m_bool_words != 0 && m_bool_words != other.m_bool_words) {
    m_kind = Kind::text;
    return;
  }
  m_bool_words = std::max(m_bool_words, other.m_bool_words);
  const bool decimal_side = m_kind == Kind::decimal || other.m_kind == Kind::decimal;
  m_integer_digits = std::max(m_integer_digits, other.m_integer_digits);
  m_scale = std::max(m_scale, other.m_scale);
  m_kind = join(m_kind, other.m_kind);
  if (decimal_side && m_kind == Kind::decimal && m_integer_digits + m_scale > k_max_numeric_precision) {
    m_kind = Kind::floating;
  }
}

SqlType TypeInference::type() const {
  switch (m_kind) {
  case Kind::boolean: return SqlType::boolean();
  case Kind::integer: return SqlType::integer();
  case Kind::big_integer: return SqlType::big_int();
  case Kind::decimal: return SqlType::numeric(std::max(m_integer_digits + m_scale, 1), m_scale);
  case Kind::floating: return SqlType::double_precision();
  case Kind::date: return SqlType::date();
  case Kind::timestamp: return SqlType::timestamp();
  case Kind::timestamp_tz: return SqlType::timestamp_tz();
  case Kind::none:
  case Kind::text: return SqlType::text();
  }
  return SqlType::text();
}

} // namespace hyperpipe::sources
