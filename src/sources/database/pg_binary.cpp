#include "sources/database/pg_binary.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <limits>
#include <optional>

namespace hyperpipe::sources::database {
namespace {

constexpr std::string_view k_signature("PGCOPY\n\377\r\n\0", 11);
// PostgreSQL counts days and microseconds from 2000-01-01; Hyper (and Unix) from 1970-01-01.
constexpr std::int32_t k_epoch_days = 10'957;
constexpr std::int64_t k_epoch_micros = std::int64_t{k_epoch_days} * 86'400'000'000;

template <typename T> T read_be(const char* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof value);
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) {
    using U = std::make_unsigned_t<T>;
    U raw;
    std::memcpy(&raw, &value, sizeof raw);
    if constexpr (sizeof(T) == 2) {
      raw = static_cast<U>(__builtin_bswap16(raw));
    } else if constexpr (sizeof(T) == 4) {
      raw = __builtin_bswap32(raw);
    } else {
      raw = __builtin_bswap64(raw);
    }
    std::memcpy(&value, &raw, sizeof value);
  }
  return value;
}

Error format_error(std::string what) {
  return make_error(ErrorKind::remote, fmt::format("malformed binary COPY data from PostgreSQL: {}", what));
}

Status wrong_size(const Column& column, std::size_t size) {
  return make_error(ErrorKind::remote, fmt::format("column {}: a {}-byte value where PostgreSQL's binary format has another size",
                                                  column.definition().name, size));
}

Status not_storable(const Column& column, std::string_view value) {
  return make_error(ErrorKind::value, fmt::format("column {}: {} cannot be stored in Hyper", column.definition().name, value),
                    "filter or cast it in the query (e.g. NULLIF or a CASE for infinite values)");
}

} // namespace

Result<Decimal> decode_pg_numeric(std::string_view value, int scale) {
  if (value.size() < 8) {
    return format_error("a numeric shorter than its header");
  }
  const auto ndigits = read_be<std::int16_t>(value.data());
  const auto weight = read_be<std::int16_t>(value.data() + 2);
  const auto sign = read_be<std::uint16_t>(value.data() + 4);
  if (ndigits < 0 || value.size() != 8 + 2 * static_cast<std::size_t>(ndigits)) {
    return format_error("a numeric whose digit count does not match its size");
  }
  if (sign != 0x0000 && sign != 0x4000) {
    return make_error(ErrorKind::value, sign == 0xC000 ? "NaN" : "an infinite numeric");
  }
  // Digit by digit, most significant first: a digit at decimal exponent e counts when
  // e >= -scale; one below must be 0 (the last group's padding is). This way the padding never
  // takes one of the 38 digits.
  constexpr Int128 k_limit = [] { // 10^38 - 1: Hyper's widest numeric
    Int128 limit = 1;
    for (int i = 0; i < 38; ++i) {
      limit *= 10;
    }
    return limit - 1;
  }();
  Int128 unscaled = 0;
  std::optional<int> lowest; ///< exponent of the last digit taken
  for (int i = 0; i < ndigits; ++i) {
    const auto group = read_be<std::int16_t>(value.data() + 8 + 2 * i);
    if (group < 0 || group > 9999) {
      return format_error("a numeric digit group out of range");
    }
    for (int k = 3, divisor = 1000; k >= 0; --k, divisor /= 10) {
      const int digit = group / divisor % 10;
      const int exponent = 4 * (weight - i) + k;
      if (exponent + scale < 0) {
        if (digit != 0) {
          return make_error(ErrorKind::value, fmt::format("more than {} decimal places", scale));
        }
        continue;
      }
      if (unscaled > (k_limit - digit) / 10) {
        return make_error(ErrorKind::value, "more than 38 digits");
      }
      unscaled = unscaled * 10 + digit;
      lowest = exponent;
    }
  }
  for (int shift = lowest ? *lowest + scale : 0; shift > 0; --shift) { // 1e8 has digits up to 10^8 only
    if (unscaled > k_limit / 10) {
      return make_error(ErrorKind::value, "more than 38 digits");
    }
    unscaled *= 10;
  }
  return Decimal{sign == 0x4000 ? -unscaled : unscaled, scale};
}

Status PgBinaryDecoder::header(std::string_view& bytes) {
  if (bytes.size() < k_signature.size() + 8 || bytes.substr(0, k_signature.size()) != k_signature) {
    return format_error("no PGCOPY signature");
  }
  const auto extension = read_be<std::uint32_t>(bytes.data() + k_signature.size() + 4);
  const std::size_t length = k_signature.size() + 8 + extension;
  if (bytes.size() < length) {
    return format_error("a truncated header");
  }
  bytes.remove_prefix(length);
  m_header_seen = true;
  return {};
}

Status PgBinaryDecoder::feed(std::string_view message, ColumnBatch& batch) {
  if (!m_header_seen) {
    HP_TRY(header(message));
  }
  while (!message.empty()) {
    if (m_finished) {
      return format_error("data after the trailer");
    }
    HP_TRY(row(message, batch));
  }
  return {};
}

Status PgBinaryDecoder::row(std::string_view& bytes, ColumnBatch& batch) {
  if (bytes.size() < 2) {
    return format_error("a truncated row");
  }
  const auto fields = read_be<std::int16_t>(bytes.data());
  bytes.remove_prefix(2);
  if (fields == -1) {
    m_finished = true;
    return {};
  }
  if (static_cast<std::size_t>(fields) != m_decodes.size()) {
    return format_error(fmt::format("a row of {} fields, expected {}", fields, m_decodes.size()));
  }
  const std::size_t before = batch.row_count();
  for (std::size_t i = 0; i < m_decodes.size(); ++i) {
    Status added;
    if (bytes.size() < 4) {
      added = format_error("a truncated field");
    } else {
      const auto length = read_be<std::int32_t>(bytes.data());
      bytes.remove_prefix(4);
      if (length == -1) {
        added = batch.column(i).append_null();
      } else if (length < 0 || bytes.size() < static_cast<std::size_t>(length)) {
        added = format_error("a field longer than its row");
      } else {
        added = field(i, bytes.substr(0, static_cast<std::size_t>(length)), batch.column(i));
        bytes.remove_prefix(static_cast<std::size_t>(length));
      }
    }
    if (!added) {
      batch.truncate(before);
      auto error = added.error();
      error.message = fmt::format("row {}: {}", m_rows + 1, error.message);
      return error;
    }
  }
  ++m_rows;
  return {};
}

Status PgBinaryDecoder::field(std::size_t index, std::string_view value, Column& column) const {
  const char* data = value.data();
  const auto need = [&](std::size_t size) { return value.size() == size ? Status{} : wrong_size(column, value.size()); };
  switch (m_decodes[index]) {
  case PgDecode::boolean: HP_TRY(need(1)); return column.append_bool(data[0] != 0);
  case PgDecode::int2: HP_TRY(need(2)); return column.append_int(read_be<std::int16_t>(data));
  case PgDecode::int4: HP_TRY(need(4)); return column.append_int(read_be<std::int32_t>(data));
  case PgDecode::int8: HP_TRY(need(8)); return column.append_int(read_be<std::int64_t>(data));
  case PgDecode::float4: HP_TRY(need(4)); return column.append_double(std::bit_cast<float>(read_be<std::uint32_t>(data)));
  case PgDecode::float8: HP_TRY(need(8)); return column.append_double(std::bit_cast<double>(read_be<std::uint64_t>(data)));
  case PgDecode::numeric: {
    if (column.definition().type.kind() != TypeKind::numeric) {
      return format_error("numeric for a non-numeric column");
    }
    auto decimal = decode_pg_numeric(value, column.definition().type.scale());
    if (!decimal) {
      if (decimal.error().kind == ErrorKind::remote) {
        return decimal.error();
      }
      return not_storable(column, fmt::format("a numeric with {}", decimal.error().message));
    }
    return column.append_decimal(*decimal);
  }
  case PgDecode::text:
  case PgDecode::bytes: return column.append_text(value);
  case PgDecode::date: {
    HP_TRY(need(4));
    const auto days = read_be<std::int32_t>(data);
    if (days == std::numeric_limits<std::int32_t>::max() || days == std::numeric_limits<std::int32_t>::min()) {
      return not_storable(column, days > 0 ? "date 'infinity'" : "date '-infinity'");
    }
    std::int32_t shifted = 0;
    if (__builtin_add_overflow(days, k_epoch_days, &shifted)) {
      return not_storable(column, "a date this far in the future");
    }
    return column.append_date(Date{shifted});
  }
  case PgDecode::time: HP_TRY(need(8)); return column.append_time(TimeOfDay{read_be<std::int64_t>(data)});
  case PgDecode::timestamp:
  case PgDecode::timestamptz: {
    HP_TRY(need(8));
    const auto micros = read_be<std::int64_t>(data);
    if (micros == std::numeric_limits<std::int64_t>::max() || micros == std::numeric_limits<std::int64_t>::min()) {
      return not_storable(column, micros > 0 ? "timestamp 'infinity'" : "timestamp '-infinity'");
    }
    std::int64_t shifted = 0;
    if (__builtin_add_overflow(micros, k_epoch_micros, &shifted)) { // beyond year 294,000
      return not_storable(column, "a timestamp this far in the future");
    }
    return column.append_timestamp(Timestamp{shifted});
  }
  case PgDecode::interval:
    HP_TRY(need(16));
    return column.append_interval(Interval{read_be<std::int32_t>(data + 12), read_be<std::int32_t>(data + 8), read_be<std::int64_t>(data)});
  }
  return format_error("an unknown decode kind");
}

} // namespace hyperpipe::sources::database
