#include <fmt/format.h>

#include <bit>
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <cstring>
#include <limits>

#include "base/utf8.hpp"
#include "batch/decimal_text.hpp"
#include "batch/hyper_units.hpp"
#include "hyperpipe/column_batch.hpp"

static_assert(std::endian::native == std::endian::little,
              "HyperBinary is little-endian; Column stores values in native byte order");

namespace hyperpipe {
namespace {

constexpr std::size_t k_length_prefix = 4; // uint32 byte length before variable-length values

std::size_t width_of(const SqlType& type) {
  switch (type.kind()) {
  case TypeKind::boolean: return 1;
  case TypeKind::small_int: return 2;
  case TypeKind::integer:
  case TypeKind::real:
  case TypeKind::date:
  case TypeKind::oid: return 4;
  case TypeKind::big_int:
  case TypeKind::double_precision:
  case TypeKind::time:
  case TypeKind::timestamp:
  case TypeKind::timestamp_tz: return 8;
  case TypeKind::numeric: return type.is_wide_numeric() ? 16 : 8;
  case TypeKind::interval: return 16;
  case TypeKind::text:
  case TypeKind::varchar:
  case TypeKind::character:
  case TypeKind::bytes:
  case TypeKind::json:
  case TypeKind::geography: return 0;
  }
  return 0;
}

bool is_textual(TypeKind kind) {
  return kind == TypeKind::text || kind == TypeKind::varchar || kind == TypeKind::character ||
         kind == TypeKind::json || kind == TypeKind::geography;
}

// A value as shown in error messages: in double quotes, shortened, control bytes escaped.
std::string quoted(std::string_view value) { return fmt::format("\"{}\"", base::printable_excerpt(value)); }

Int128 power_of_ten(int exponent) {
  Int128 value = 1;
  for (int i = 0; i < exponent; ++i) {
    value *= 10;
  }
  return value;
}

} // namespace

Column::Column(ColumnDefinition definition)
    : m_definition(std::move(definition)), m_width(width_of(m_definition.type)) {}

Status Column::type_error(std::string_view what, std::string_view value_text) const {
  Error error = make_error(ErrorKind::value, fmt::format("column \"{}\" ({}), row {}: {} {}", m_definition.name,
                                                         m_definition.type.sql(), m_rows + 1, what, value_text));
  error.detail = fmt::format("{} {}", what, value_text);
  return error;
}

// Storage vectors are sized to m_capacity rows and written by index: the per-value path is a
// compare, a store and an increment; growing (rare) happens out of line here.
void Column::grow(std::size_t rows) {
  m_capacity = std::max<std::size_t>({rows, 2 * m_capacity, 64});
  m_fixed.resize(m_capacity * m_width);
  if (m_definition.nullable()) {
    m_nulls.resize(m_capacity);
  }
  if (m_width == 0) {
    m_ends.resize(m_capacity);
  }
}

inline void Column::next_row(std::uint8_t is_null) {
  if (m_definition.nullable()) {
    m_nulls[m_rows] = is_null;
    ++m_encoded_size;
  }
  ++m_rows;
}

template <typename T> void Column::push_fixed(const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (m_rows == m_capacity) [[unlikely]] {
    grow(m_rows + 1);
  }
  std::memcpy(m_fixed.data() + m_rows * sizeof(T), &value, sizeof(T));
  m_encoded_size += sizeof(T);
  next_row(0);
}

void Column::push_var(std::string_view bytes) {
  if (m_rows == m_capacity) [[unlikely]] {
    grow(m_rows + 1);
  }
  m_chars.append(bytes);
  m_ends[m_rows] = m_chars.size();
  m_encoded_size += k_length_prefix + bytes.size();
  next_row(0);
}

std::string_view Column::var_value(std::size_t row) const {
  const std::uint64_t begin = row == 0 ? 0 : m_ends[row - 1];
  return std::string_view(m_chars).substr(begin, m_ends[row] - begin);
}

Status Column::append_null() {
  if (!m_definition.nullable()) {
    return type_error("NULL in a NOT NULL column:", "set the column nullable or supply a value");
  }
  if (m_rows == m_capacity) [[unlikely]] {
    grow(m_rows + 1);
  }
  if (m_width > 0) {
    std::memset(m_fixed.data() + m_rows * m_width, 0, m_width);
  } else {
    m_ends[m_rows] = m_chars.size();
  }
  next_row(1);
  return {};
}

Status Column::append_bool(bool value) {
  if (m_definition.type.kind() != TypeKind::boolean) {
    return type_error("cannot store boolean", value ? "true" : "false");
  }
  const std::uint8_t byte = value ? 1 : 0;
  push_fixed(byte);
  return {};
}

Status Column::append_int(std::int64_t value) {
  const auto out_of_range = [&](std::string_view range) {
    return type_error("out of range " + std::string(range) + ":", std::to_string(value));
  };
  switch (m_definition.type.kind()) {
  case TypeKind::small_int: {
    if (value < std::numeric_limits<std::int16_t>::min() || value > std::numeric_limits<std::int16_t>::max()) {
      return out_of_range("(-32768..32767)");
    }
    const auto narrow = static_cast<std::int16_t>(value);
    push_fixed(narrow);
    return {};
  }
  case TypeKind::integer: {
    if (value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::int32_t>::max()) {
      return out_of_range("(-2147483648..2147483647)");
    }
    const auto narrow = static_cast<std::int32_t>(value);
    push_fixed(narrow);
    return {};
  }
  case TypeKind::big_int: push_fixed(value); return {};
  case TypeKind::oid: {
    if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) {
      return out_of_range("(0..4294967295)");
    }
    const auto narrow = static_cast<std::uint32_t>(value);
    push_fixed(narrow);
    return {};
  }
  case TypeKind::numeric: return append_decimal(Decimal{value, 0});
  case TypeKind::double_precision:
  case TypeKind::real: {
    const auto as_double = static_cast<double>(value);
    const bool is_real = m_definition.type.kind() == TypeKind::real;
    // Refuse integers the column's float width cannot hold exactly rather than storing a neighbour.
    const bool exact = as_double < 0x1p63 && static_cast<std::int64_t>(as_double) == value &&
                       (!is_real || static_cast<std::int64_t>(static_cast<float>(value)) == value);
    if (!exact) {
      return type_error("integer not exactly representable as floating point:", std::to_string(value));
    }
    return append_double(as_double);
  }
  default: return type_error("cannot store integer", std::to_string(value));
  }
}

Status Column::append_double(double value) {
  if (m_definition.type.kind() == TypeKind::double_precision) {
    push_fixed(value);
    return {};
  }
  if (m_definition.type.kind() == TypeKind::real) {
    if (std::isfinite(value) && std::fabs(value) > std::numeric_limits<float>::max()) {
      return type_error("out of range for REAL:", fmt::format("{}", value));
    }
    const auto narrow = static_cast<float>(value);
    push_fixed(narrow);
    return {};
  }
  return type_error("cannot store floating point", fmt::format("{}", value));
}

Status Column::append_decimal(Decimal value) {
  const SqlType& type = m_definition.type;
  if (type.kind() != TypeKind::numeric) {
    return type_error("cannot store decimal", decimal_to_text(value));
  }
  constexpr int k_max_scale = 38;
  if (value.scale < 0 || value.scale > k_max_scale) {
    return type_error("has a scale outside 0..38:", std::to_string(value.scale));
  }
  Int128 unscaled = value.unscaled;
  if (value.scale < type.scale()) {
    const Int128 factor = power_of_ten(type.scale() - value.scale);
    const Int128 limit = power_of_ten(38) / factor;
    if (unscaled >= limit || unscaled <= -limit) {
      return type_error("does not fit", decimal_to_text(value));
    }
    unscaled *= factor;
  } else if (value.scale > type.scale()) {
    const Int128 factor = power_of_ten(value.scale - type.scale());
    if (unscaled % factor != 0) {
      return type_error(fmt::format("has more than {} decimal places:", type.scale()), decimal_to_text(value));
    }
    unscaled /= factor;
  }
  const Int128 limit = power_of_ten(type.precision());
  if (unscaled >= limit || unscaled <= -limit) {
    return type_error(fmt::format("has more than {} digits:", type.precision()), decimal_to_text(value));
  }
  if (type.is_wide_numeric()) {
    push_fixed(unscaled);
  } else {
    const auto narrow = static_cast<std::int64_t>(unscaled);
    push_fixed(narrow);
  }
  return {};
}

Status Column::append_decimal_text(std::string_view text) {
  const auto parsed = parse_decimal_text(text);
  if (!parsed) {
    return type_error("not a decimal number:", quoted(text));
  }
  return append_decimal(*parsed);
}

Status Column::append_text(std::string_view value) {
  const TypeKind kind = m_definition.type.kind();
  if (kind != TypeKind::bytes && !is_textual(kind)) {
    return type_error("cannot store text", quoted(value));
  }
  if (value.size() > std::numeric_limits<std::uint32_t>::max()) {
    // HyperBinary lengths are 32-bit: a longer value would corrupt the stream.
    return type_error("value longer than 4 GB:", std::to_string(value.size()) + " bytes");
  }
  if (kind == TypeKind::bytes) {
    push_var(value);
    return {};
  }
  if (!base::is_valid_utf8(value)) {
    return type_error("invalid UTF-8:", quoted(value));
  }
  if ((kind == TypeKind::varchar || kind == TypeKind::character) &&
      base::count_code_points(value) > static_cast<std::size_t>(m_definition.type.length())) {
    return type_error(fmt::format("longer than {} characters:", m_definition.type.length()),
                      quoted(value));
  }
  push_var(value);
  return {};
}

Status Column::append_date(Date value) {
  if (m_definition.type.kind() != TypeKind::date) {
    return type_error("cannot store date with day number", std::to_string(value.days_since_epoch));
  }
  const std::int64_t julian = value.days_since_epoch + batch::k_unix_epoch_julian_day;
  if (julian < batch::k_min_julian_day || julian > batch::k_max_julian_day) {
    return type_error("date out of range (4713-01-01 BC to 294276-12-31), days since 1970:",
                      std::to_string(value.days_since_epoch));
  }
  const auto narrow = static_cast<std::int32_t>(julian);
  push_fixed(narrow);
  return {};
}

Status Column::append_time(TimeOfDay value) {
  constexpr std::int64_t k_max = batch::k_micros_per_day; // 24:00:00 is a valid TIME
  if (m_definition.type.kind() != TypeKind::time) {
    return type_error("cannot store time of day", std::to_string(value.micros) + " µs");
  }
  if (value.micros < 0 || value.micros > k_max) {
    return type_error("time of day out of range:", std::to_string(value.micros) + " µs");
  }
  push_fixed(value.micros);
  return {};
}

Status Column::append_timestamp(Timestamp value) {
  const TypeKind kind = m_definition.type.kind();
  if (kind != TypeKind::timestamp && kind != TypeKind::timestamp_tz) {
    return type_error("cannot store timestamp", std::to_string(value.micros_since_epoch) + " µs");
  }
  std::int64_t julian_micros = 0;
  if (__builtin_add_overflow(value.micros_since_epoch, batch::k_unix_epoch_julian_micros, &julian_micros) ||
      julian_micros < batch::k_min_julian_day * batch::k_micros_per_day ||
      julian_micros / batch::k_micros_per_day > batch::k_max_julian_day) {
    return type_error("timestamp out of range:", std::to_string(value.micros_since_epoch) + " µs since 1970");
  }
  push_fixed(julian_micros);
  return {};
}

Status Column::append_interval(Interval value) {
  if (m_definition.type.kind() != TypeKind::interval) {
    return type_error("cannot store interval", "");
  }
  // HyperBinary order: microseconds, days, months.
  struct Stored {
    std::int64_t micros;
    std::int32_t days;
    std::int32_t months;
  };
  static_assert(sizeof(Stored) == 16);
  push_fixed(Stored{value.micros, value.days, value.months});
  return {};
}

Status Column::append(const Value& value) {
  struct Visitor {
    Column& column;
    Status operator()(std::monostate) { return column.append_null(); }
    Status operator()(bool v) { return column.append_bool(v); }
    Status operator()(std::int64_t v) { return column.append_int(v); }
    Status operator()(double v) { return column.append_double(v); }
    Status operator()(const Decimal& v) { return column.append_decimal(v); }
    Status operator()(const std::string& v) { return column.append_text(v); }
    Status operator()(Date v) { return column.append_date(v); }
    Status operator()(TimeOfDay v) { return column.append_time(v); }
    Status operator()(Timestamp v) { return column.append_timestamp(v); }
    Status operator()(const Interval& v) { return column.append_interval(v); }
  };
  return std::visit(Visitor{*this}, value);
}

void Column::clear() { truncate(0); }

void Column::truncate(std::size_t rows) {
  if (rows >= m_rows) {
    return;
  }
  if (m_width == 0) {
    m_chars.resize(rows == 0 ? 0 : m_ends[rows - 1]);
  }
  m_rows = rows;
  // Recompute rather than track per-row sizes: truncation is rare (error rollback, clear).
  std::size_t present = rows;
  if (m_definition.nullable()) {
    for (std::size_t row = 0; row < rows; ++row) {
      present -= m_nulls[row];
    }
  }
  m_encoded_size = (m_definition.nullable() ? rows : 0) + m_chars.size() +
                   present * (m_width > 0 ? m_width : k_length_prefix);
}

void Column::reserve(std::size_t rows) {
  if (rows > m_capacity) {
    grow(rows);
  }
}

} // namespace hyperpipe
