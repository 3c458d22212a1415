#include "sources/csv/copy_check.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <limits>

#include "base/utf8.hpp"

namespace hyperpipe::sources {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (!is_digit(c)) {
      return false;
    }
  }
  return !text.empty();
}

/// Digits with no leading zero, or "0" alone: hyperpipe refuses "007" as a number.
bool plain_digits(std::string_view text) { return all_digits(text) && (text.size() == 1 || text.front() != '0'); }

int two_digits(std::string_view text, std::size_t at) { return (text[at] - '0') * 10 + (text[at + 1] - '0'); }

bool integer_alike(TypeKind kind, std::string_view text) {
  const std::string_view digits = !text.empty() && text.front() == '-' ? text.substr(1) : text;
  if (!plain_digits(digits) || digits.size() > 19) {
    return false;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return false;
  }
  switch (kind) {
  case TypeKind::small_int: return value >= std::numeric_limits<std::int16_t>::min() && value <= std::numeric_limits<std::int16_t>::max();
  case TypeKind::integer: return value >= std::numeric_limits<std::int32_t>::min() && value <= std::numeric_limits<std::int32_t>::max();
  default: return true;
  }
}

bool decimal_alike(const SqlType& type, std::string_view text) {
  const std::string_view unsigned_text = !text.empty() && text.front() == '-' ? text.substr(1) : text;
  const std::size_t point = unsigned_text.find('.');
  const std::string_view whole = unsigned_text.substr(0, point);
  if (!plain_digits(whole)) {
    return false;
  }
  if (point != std::string_view::npos) {
    const std::string_view fraction = unsigned_text.substr(point + 1);
    if (!all_digits(fraction) || fraction.size() > static_cast<std::size_t>(type.scale())) {
      return false;
    }
  }
  const std::size_t whole_digits = whole == "0" ? 0 : whole.size();
  return whole_digits <= static_cast<std::size_t>(type.precision() - type.scale());
}

bool date_alike(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !all_digits(text.substr(0, 4)) ||
      !all_digits(text.substr(5, 2)) || !all_digits(text.substr(8, 2))) {
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
  if (text.size() < 19 || !date_alike(text.substr(0, 10)) || (text[10] != ' ' && text[10] != 'T') || text[13] != ':' ||
      text[16] != ':' || !all_digits(text.substr(11, 2)) || !all_digits(text.substr(14, 2)) ||
      !all_digits(text.substr(17, 2))) {
    return false;
  }
  if (two_digits(text, 11) > 23 || two_digits(text, 14) > 59 || two_digits(text, 17) > 59) {
    return false;
  }
  if (text.size() == 19) {
    return true;
  }
  return text[19] == '.' && text.size() <= 26 && all_digits(text.substr(20));
}

constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";

} // namespace

bool copy_reads_start(std::string_view first_bytes, bool header) {
  for (std::string_view mark : {std::string_view("\x1F\x8B"), std::string_view("\xFF\xFE"), std::string_view("\xFE\xFF")}) {
    if (first_bytes.starts_with(mark)) {
      return false; // gzip, UTF-16: hyperpipe decodes them, hyperd would read them as text
    }
  }
  return header || !first_bytes.starts_with(k_utf8_bom);
}

bool copy_supports(const SqlType& type) {
  switch (type.kind()) {
  case TypeKind::boolean:
  case TypeKind::small_int:
  case TypeKind::integer:
  case TypeKind::big_int:
  case TypeKind::numeric:
  case TypeKind::date:
  case TypeKind::timestamp:
  case TypeKind::text: return true;
  default: return false; // doubles among them: hyperd rounds some long ones otherwise, and flips zeros' sign
  }
}

bool copy_reads_alike(const SqlType& type, std::string_view value) {
  switch (type.kind()) {
  case TypeKind::boolean:
    switch (value.size()) {
    case 4: return value == "true" || value == "TRUE" || value == "True";
    case 5: return value == "false" || value == "FALSE" || value == "False";
    default: return false;
    }
  case TypeKind::small_int:
  case TypeKind::integer:
  case TypeKind::big_int: return integer_alike(type.kind(), value);
  case TypeKind::numeric: return decimal_alike(type, value);
  case TypeKind::date: return date_alike(value);
  case TypeKind::timestamp: return timestamp_alike(value);
  case TypeKind::text: return std::memchr(value.data(), '\0', value.size()) == nullptr;
  default: return false;
  }
}

CopyCheck::CopyCheck(const CsvDialect& dialect, std::vector<SqlType> columns, bool header, std::size_t max_record_bytes)
    : m_dialect(dialect), m_columns(std::move(columns)), m_header(header), m_max_record_bytes(max_record_bytes) {
  for (const auto& type : m_columns) {
    m_textual.push_back(type.kind() == TypeKind::text);
  }
}

bool CopyCheck::fail(std::string why) {
  if (m_doubt.empty()) {
    m_doubt = fmt::format("line {}: {}", m_line, why);
  }
  return false;
}

bool CopyCheck::feed(std::string_view bytes) {
  if (!m_doubt.empty()) {
    return false;
  }
  if (!m_started && !bytes.empty()) {
    m_started = true;
    if (!copy_reads_start(bytes, m_header)) {
      return fail("a byte-order mark or compression at the start");
    }
    if (bytes.starts_with(k_utf8_bom)) {
      bytes.remove_prefix(k_utf8_bom.size()); // on the header line, which hyperd skips with it
    }
  }
  // The record the last piece cut off is completed with as little of this one as it takes,
  // line by line (a few times: a field may hold many), so the rest is checked where it lies.
  for (int lines = 0; !m_carry.empty() && !bytes.empty(); ++lines) {
    const std::size_t line_end = bytes.find('\n');
    const std::size_t take = lines < 8 && line_end != std::string_view::npos ? line_end + 1 : bytes.size();
    m_carry.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    const std::string data = std::move(m_carry);
    m_carry.clear();
    if (!check_bytes(data, false)) {
      return false;
    }
  }
  if (bytes.empty()) {
    return true;
  }
  return check_bytes(bytes, false);
}

bool CopyCheck::finish() {
  if (!m_doubt.empty()) {
    return false;
  }
  const std::string data = std::move(m_carry);
  m_carry.clear();
  return check_bytes(data, true);
}

bool CopyCheck::check_bytes(std::string_view data, bool at_end) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    const Step step = check_record(data, pos, at_end);
    if (step == Step::doubt) {
      return false;
    }
    if (step == Step::incomplete) {
      break;
    }
  }
  // Records end at a line break or the end, never inside a UTF-8 sequence.
  if (!base::is_valid_utf8(data.substr(0, pos))) {
    m_doubt = fmt::format("bytes that are not UTF-8 before line {}", m_line);
    return false;
  }
  m_carry.assign(data.substr(pos));
  if (m_carry.size() > record_bound()) {
    return fail(fmt::format("a record longer than {} KiB (such records are read by hyperpipe, which bounds them)",
                            record_bound() >> 10U));
  }
  return true;
}

CopyCheck::Step CopyCheck::check_record(std::string_view data, std::size_t& pos, bool at_end) {
  const char delimiter = m_dialect.delimiter;
  const char quote = m_dialect.quote;
  const char* base = data.data();
  std::size_t p = pos;
  if (data[p] == '\n' || data[p] == '\r') {
    fail("a blank line (hyperpipe skips it)");
    return Step::doubt;
  }
  // Found first, checked once the record is known complete: a cut value is not a doubt.
  std::vector<Field>& fields = m_fields;
  fields.clear();
  std::uint64_t line_breaks = 0;
  if (const auto* newline = static_cast<const char*>(std::memchr(base + p, '\n', data.size() - p))) {
    // Most records: one line without quotes, split where it lies in one pass (fields are short:
    // a byte loop beats a memchr per field).
    const char* line_end = newline > base + p && newline[-1] == '\r' ? newline - 1 : newline;
    const char* field = base + p;
    bool simple = true;
    for (const char* c = field; c < line_end; ++c) {
      if (*c == delimiter) {
        fields.push_back({std::string_view(field, static_cast<std::size_t>(c - field)), false, false});
        field = c + 1;
      } else if (*c == quote || *c == '\r') {
        simple = false;
        break;
      }
    }
    if (simple) {
      fields.push_back({std::string_view(field, static_cast<std::size_t>(line_end - field)), false, false});
      return finish_record(data.substr(pos, static_cast<std::size_t>(newline - base) + 1 - pos), 0, pos);
    }
    fields.clear(); // the general reading below, from the record's start
  }
  for (;;) {
    if (p < data.size() && data[p] == quote) {
      bool doubled = false;
      std::size_t q = p + 1;
      std::size_t close = 0;
      for (;;) {
        const auto* found = static_cast<const char*>(std::memchr(base + q, quote, data.size() - q));
        if (found == nullptr) {
          if (!at_end) {
            return Step::incomplete;
          }
          fail("an unterminated quote");
          return Step::doubt;
        }
        const auto at = static_cast<std::size_t>(found - base);
        if (at + 1 == data.size() && !at_end) {
          return Step::incomplete; // a doubled quote may follow
        }
        if (at + 1 < data.size() && data[at + 1] == quote) {
          doubled = true;
          q = at + 2;
          continue;
        }
        close = at;
        break;
      }
      const std::string_view value = data.substr(p + 1, close - p - 1);
      for (char c : value) {
        line_breaks += c == '\n' ? 1 : 0;
      }
      fields.push_back({value, true, doubled});
      p = close + 1;
      if (p < data.size() && data[p] != delimiter && data[p] != '\n' && data[p] != '\r') {
        fail("text after a closing quote");
        return Step::doubt;
      }
    } else {
      std::size_t end = p;
      while (end < data.size() && data[end] != delimiter && data[end] != '\n' && data[end] != '\r') {
        ++end;
      }
      if (end == data.size() && !at_end) {
        return Step::incomplete;
      }
      const std::string_view value = data.substr(p, end - p);
      if (value.find(quote) != std::string_view::npos) {
        fail("a quote character inside an unquoted field");
        return Step::doubt;
      }
      fields.push_back({value, false, false});
      p = end;
    }
    if (p == data.size()) {
      break; // the last record, without a line break
    }
    const char c = data[p];
    if (c == delimiter) {
      ++p;
      continue;
    }
    if (c == '\r') {
      if (p + 1 == data.size() && !at_end) {
        return Step::incomplete;
      }
      if (p + 1 == data.size() || data[p + 1] != '\n') {
        fail("a line ending in a lone \\r");
        return Step::doubt;
      }
      ++p;
    }
    ++p; // the \n
    break;
  }
  return finish_record(data.substr(pos, p - pos), line_breaks, pos);
}

std::size_t CopyCheck::record_bound() const {
  // Well inside hyperpipe's own limit, which it measures otherwise (field bytes plus 8 per
  // field, at its buffer's ends): a record near it is left to hyperpipe to accept or refuse. The
  // bound also keeps a record cut by many pieces from being checked again too often.
  return std::min(m_max_record_bytes / 2, std::size_t{1} << 20U);
}

CopyCheck::Step CopyCheck::finish_record(std::string_view record, std::uint64_t line_breaks, std::size_t& pos) {
  const std::vector<Field>& fields = m_fields;
  if (record.size() + 8 * fields.size() > record_bound()) {
    fail(fmt::format("a record longer than {} KiB (such records are read by hyperpipe, which bounds them)",
                     record_bound() >> 10U));
    return Step::doubt;
  }
  if (fields.size() != m_columns.size()) {
    fail(fmt::format("{} fields where the table has {} columns", fields.size(), m_columns.size()));
    return Step::doubt;
  }
  if (m_header) {
    if (line_breaks > 0) {
      fail("a header that spans lines");
      return Step::doubt;
    }
    m_header = false;
  } else {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (!check_field(i, fields[i].value, fields[i].quoted, fields[i].doubled)) {
        if (m_value && !base::is_valid_utf8(record)) {
          // hyperpipe stops at the first field that is not UTF-8 and rejects the row: the value
          // is not what it would find (nor a reason to widen its column).
          m_value.reset();
          m_doubt = fmt::format("line {}: bytes that are not UTF-8", m_line);
        }
        return Step::doubt;
      }
    }
    ++m_rows;
  }
  m_line += 1 + line_breaks;
  pos += record.size(); // the record starts at pos
  return Step::complete;
}

bool CopyCheck::check_field(std::size_t column, std::string_view value, bool quoted, bool doubled_quotes) {
  if (value.empty()) {
    // Unquoted: NULL to both. Quoted: an empty string to both in text; hyperpipe's NULL elsewhere.
    return !quoted || m_textual[column] || fail(fmt::format("a quoted empty value in column {}", column + 1));
  }
  if (!m_textual[column] && doubled_quotes) {
    return fail(fmt::format("a quote character in column {}", column + 1));
  }
  if (!copy_reads_alike(m_columns[column], value)) {
    m_value = Value{column, std::string(value), m_line};
    return fail(fmt::format("\"{}\" in column {} ({}) is not in the plain form hyperd reads alike",
                            base::printable_excerpt(value), column + 1, m_columns[column].sql()));
  }
  return true;
}

} // namespace hyperpipe::sources
