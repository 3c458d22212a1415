#include "sources/csv/copy_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/utf8.hpp"

namespace hyperpipe::sources {
namespace {

constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";

enum ByteClass : std::uint8_t { k_plain = 0, k_delimiter, k_newline, k_return, k_other };

/// Finds the next byte that is not k_plain (a delimiter, quote, \n, \r or NUL): 16 bytes at a
/// time where SSE2 is there. Fields are short, and a byte loop was most of the check's time.
class StopFinder {
public:
  StopFinder(const std::array<std::uint8_t, 256>& classes, [[maybe_unused]] char delimiter,
             [[maybe_unused]] char quote)
      : m_classes(classes)
#if defined(__SSE2__)
        ,
        m_delimiter(_mm_set1_epi8(delimiter)), m_quote(_mm_set1_epi8(quote))
#endif
  {
  }

  /// The first byte in [c, end) that is not k_plain; `end` if none.
  const char* next(const char* c, const char* end) const {
#if defined(__SSE2__)
    while (end - c >= 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c));
      const __m128i field_ends = _mm_or_si128(_mm_cmpeq_epi8(bytes, m_delimiter), _mm_cmpeq_epi8(bytes, m_quote));
      const __m128i controls = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('\n')),
                                                         _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\r'))),
                                            _mm_cmpeq_epi8(bytes, _mm_setzero_si128()));
      const auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(field_ends, controls)));
      if (mask != 0) {
        return c + std::countr_zero(mask);
      }
      c += 16;
    }
#endif
    while (c < end && m_classes[static_cast<unsigned char>(*c)] == k_plain) {
      ++c;
    }
    return c;
  }

private:
  const std::array<std::uint8_t, 256>& m_classes;
#if defined(__SSE2__)
  __m128i m_delimiter;
  __m128i m_quote;
#endif
};

} // namespace

bool copy_reads_start(std::string_view first_bytes, bool header) {
  for (std::string_view mark : {std::string_view("\x1F\x8B"), std::string_view("\xFF\xFE"), std::string_view("\xFE\xFF")}) {
    if (first_bytes.starts_with(mark)) {
      return false; // gzip, UTF-16: hyperpipe decodes them, hyperd would read them as text
    }
  }
  return header || !first_bytes.starts_with(k_utf8_bom);
}

bool copy_reads_end(std::string_view last_bytes) {
  std::string_view rest = last_bytes;
  if (!rest.ends_with('\n')) {
    return true;
  }
  rest.remove_suffix(rest.ends_with("\r\n") ? 2 : 1); // the last record's line break
  // Nothing before it: the whole file is one line break (the bytes are the file when so few).
  return !rest.empty() && !rest.ends_with('\n') && !rest.ends_with('\r');
}

bool copy_reads_dialect(const CsvDialect& dialect) {
  const auto ordinary = [](char c) { return c != '\n' && c != '\r' && c != '\0'; };
  return dialect.escape == dialect.quote && dialect.delimiter != dialect.quote && ordinary(dialect.delimiter) &&
         ordinary(dialect.quote);
}

CopyCheck::CopyCheck(const CsvDialect& dialect, std::vector<SqlType> columns, bool header, std::size_t max_record_bytes)
    : m_dialect(dialect), m_columns(std::move(columns)), m_header(header), m_max_record_bytes(max_record_bytes) {
  for (const auto& type : m_columns) {
    m_forms.push_back(PlainForm::of(type));
  }
  if (!copy_reads_dialect(m_dialect)) {
    m_doubt = "a delimiter or quote character that hyperd's COPY reads otherwise";
  }
  m_byte_class[static_cast<unsigned char>(m_dialect.quote)] = k_other;
  m_byte_class[0] = k_other;
  m_byte_class['\n'] = k_newline;
  m_byte_class['\r'] = k_return;
  m_byte_class[static_cast<unsigned char>(m_dialect.delimiter)] = k_delimiter;
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
  if (too_long(m_carry.size(), 0)) {
    return fail_too_long();
  }
  return true;
}

CopyCheck::Step CopyCheck::check_record(std::string_view data, std::size_t& pos, bool at_end) {
  const char delimiter = m_dialect.delimiter;
  const char quote = m_dialect.quote;
  const char* base = data.data();
  std::size_t p = pos;
  if (m_one_pass && !m_header && plain_record(data, pos)) {
    return Step::complete;
  }
  if (data[p] == '\n' || data[p] == '\r') {
    fail("a blank line (hyperpipe skips it)");
    return Step::doubt;
  }
  // Found first, checked once the record is known complete: a cut value is not a doubt.
  std::vector<Field>& fields = m_fields;
  fields.clear();
  std::uint64_t line_breaks = 0;
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

bool CopyCheck::plain_record(std::string_view data, std::size_t& pos) {
  const char* const begin = data.data() + pos;
  const char* const end = data.data() + data.size();
  const char quote = m_dialect.quote;
  const StopFinder stops(m_byte_class, m_dialect.delimiter, quote);
  const char* c = begin;
  for (std::size_t column = 0; column < m_forms.size(); ++column) {
    const PlainForm& form = m_forms[column];
    const char* field = c;
    const char* field_end = nullptr;
    bool quoted = false;
    if (c < end && *c == quote) {
      // Quoted: up to the closing quote, on this line, without a doubled quote (or a NUL).
      quoted = true;
      field = ++c;
      while ((c = stops.next(c, end)) < end && (*c == m_dialect.delimiter || *c == '\r')) {
        ++c;
      }
      if (c == end || *c != quote) {
        return false;
      }
      field_end = c++;
      if (field == field_end && !form.textual()) {
        return false; // "" is an empty string to hyperd, NULL to hyperpipe
      }
    } else {
      c = stops.next(c, end);
      field_end = c;
    }
    if (c == end) {
      return false; // cut by the piece's end, or the file's last record without a line break
    }
    const auto stop = m_byte_class[static_cast<unsigned char>(*c)];
    if (stop == k_return) {
      if (c + 1 == end || c[1] != '\n') {
        return false;
      }
      ++c;
    } else if (stop != k_delimiter && stop != k_newline) {
      return false; // a quote or a NUL inside an unquoted field, text after a closing quote
    }
    // Text needs no look: its NUL bytes stopped the field above, and its UTF-8 is checked per piece.
    const std::string_view value(field, static_cast<std::size_t>(field_end - field));
    if (!value.empty() && !form.textual() && !form.reads_alike(value)) {
      return false;
    }
    if (stop == k_delimiter) {
      ++c;
      continue;
    }
    // The line's end: the record is whole if it ended its last field, and not blank.
    const auto size = static_cast<std::size_t>(c + 1 - begin);
    if (column + 1 != m_forms.size() || (field_end == begin && !quoted) || too_long(size, m_forms.size())) {
      return false;
    }
    ++m_rows;
    ++m_line;
    pos += size;
    return true;
  }
  return false; // more fields than columns
}

std::size_t CopyCheck::record_bound() const {
  // Well inside hyperpipe's own limit, which it measures otherwise (field bytes plus 8 per
  // field, at its buffer's ends): a record near it is left to hyperpipe to accept or refuse. The
  // bound also keeps a record cut by many pieces from being checked again too often.
  return std::min(m_max_record_bytes / 2, std::size_t{1} << 20U);
}

bool CopyCheck::too_long(std::size_t bytes, std::size_t fields) const { return bytes + 8 * fields > record_bound(); }

bool CopyCheck::fail_too_long() {
  return fail(fmt::format("a record longer than {} KiB (such records are read by hyperpipe, which bounds them)",
                          record_bound() >> 10U));
}

CopyCheck::Step CopyCheck::finish_record(std::string_view record, std::uint64_t line_breaks, std::size_t& pos) {
  const std::vector<Field>& fields = m_fields;
  if (too_long(record.size(), fields.size())) {
    fail_too_long();
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
    return !quoted || m_forms[column].textual() || fail(fmt::format("a quoted empty value in column {}", column + 1));
  }
  if (!m_forms[column].textual() && doubled_quotes) {
    return fail(fmt::format("a quote character in column {}", column + 1));
  }
  if (!m_forms[column].reads_alike(value)) {
    m_value = Value{column, std::string(value), m_line};
    return fail(fmt::format("\"{}\" in column {} ({}) is not in the plain form hyperd reads alike",
                            base::printable_excerpt(value), column + 1, m_columns[column].sql()));
  }
  return true;
}

} // namespace hyperpipe::sources
